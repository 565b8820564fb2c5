from spacy.language import Language
from spacy.tokens import Doc

MEDICATION_LABEL = "MEDICATION"
MEDICATION_LEMMA = "medication"


@Language.component("mask_medication_lemmas")
def mask_medication_lemmas(doc: Doc) -> Doc:
    """Gives every medication mention the lemma "medication".

    The intent classifier featurizes lemmas: masking the drug names makes "side effects of
    xanex" and "side effects of Desyrel" the same question. The entity keeps the drug.
    """
    for ent in doc.ents:
        if ent.label_ == MEDICATION_LABEL:
            for token in ent:
                token.lemma_ = MEDICATION_LEMMA
    return doc
