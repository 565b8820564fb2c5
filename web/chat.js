// Starts the chat widget (rasa-webchat) on the demo page; it talks to the socket.io channel.

// Once "forget me" is confirmed (the reply's metadata says `forgotten`), the page's copy goes
// too: the widget keeps the transcript in localStorage, and in memory, which it would write
// back, so the page drops it and reloads, and the widget starts a new session. The wait lets
// the person read the confirmation first.
var WIDGET_STORAGE_KEY = "chat_session";
var RELOAD_AFTER_FORGETTING_MS = 4000;

function forgetThisPage() {
  window.localStorage.removeItem(WIDGET_STORAGE_KEY);
  window.location.reload();
}

function onBotUttered(message) {
  if (message && message.metadata && message.metadata.forgotten) {
    window.setTimeout(forgetThisPage, RELOAD_AFTER_FORGETTING_MS);
  }
}

WebChat.default({
  selector: "#webchat",
  socketUrl: window.location.origin,
  socketPath: "/socket.io/",
  initPayload: "/greet",
  customData: {},
  title: "Back-pain medication assistant",
  subtitle: "Answers cite their article",
  inputTextFieldHint: "Ask about trazodone, Xanax or antidepressants…",
  embedded: true,
  showMessageDate: false,
  // Show each answer at once, after a short typing indicator (the default waits by length).
  customMessageDelay: function () { return 300; },
  params: { storage: "local" },
  onSocketEvent: { bot_uttered: onBotUttered }
}, null);
