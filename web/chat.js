// Starts the chat widget (rasa-webchat) on the demo page; it talks to the socket.io channel.
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
  params: { storage: "local" }
}, null);
