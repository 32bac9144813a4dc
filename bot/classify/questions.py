"""The ``question`` label: the post asks the community something and wants an answer.

A post asks when it runs a poll, when a sentence asks for help without a question mark ("Looking for
examples of…", "Tips welcome", "Des idées ?", "Merci d'avance"), or when it has a question that is
meant to be answered. A question mark alone is not enough:

* rhetorical openers frame a share ("Ever wondered what a flipped meeting looks like? Here's ours"),
* a question the post answers itself ("The result? Staff loved it."),
* surprise ("Is it Friday already?!"), a quoted or reported question, and ``?`` inside links
  (links are removed before reading).

A question counts when it addresses someone (anyone, you, vous, alguien…), asks for tips, ideas or
advice, or opens like a real enquiry (how / what / which / should we…) and nothing answers it.
Phrases cover English, Spanish, French, German and Portuguese; they are matched on lower-case text
without accents (see :func:`bot.classify.prose.fold`).
"""

from __future__ import annotations

import re

from bot.classify.labels import Label
from bot.classify.prose import Prose, Sentence
from bot.posts import Post


def _words(*phrases: str) -> str:
    """One regex alternation from phrases (each may itself be a small regex)."""
    return "(?:" + "|".join(phrases) + ")"


_OPENING = r"^(?:¿\s*)?(?:and |so |but |also |ok |then |y |et |und |e )?"

# Words that ask others for something: anyone / any tips / alguien / quelqu'un / jemand / alguém.
_SEEKS = re.compile(
    r"\b"
    + _words(
        r"any ?one|any ?body|any of you|who else|who here|folks|y'?all|colleagues",
        r"(?:can|could|would|will|does|has|is) (?:some ?one|some ?body)",
        r"(?:how|what|where|whether|if) (?:other|others)\b|other (?:schools|heads|leaders|people)",
        r"(?:any|some) (?:tips?|ideas?|advice|suggestions?|recommendations?|recs|thoughts)",
        r"(?:any|some) (?:examples?|pointers)",
        r"(?:any|some) (?:experience|feedback|insights?|help)",
        r"thoughts|advice|suggestions?|recommendations?|ideas|tips|pointers|recommend|suggest|feedback",
        # es
        r"alguien|alguno de (?:ustedes|vosotros)|(?:alguna|algun) (?:idea|sugerencia|recomendacion|consejo)",
        r"consejos?|sugerencias|recomendaciones|recomendais|recomiendan|sugieren|sugeris",
        # fr
        # "conseil" is also a council: "le conseil des maîtres", "les conseils de classe".
        r"quelqu ?'? ?un|des idees|une idee|des conseils(?! d| pedagogiques)|des retours|des suggestions",
        r"vos (?:idees|retours|avis|suggestions)|vos conseils(?! d)|des recommandations",
        # de, pt
        r"jemand|jemandem|tipps|ideen|erfahrungen|empfehlungen|anregungen",
        r"alguem|dicas|ideias|sugestoes|recomendacoes",
    )
    + r"\b"
)
# Second person, and the shapes of a real enquiry ("how do we…", "should I…", "is it worth…").
_ADDRESSES = re.compile(
    r"\b"
    + _words(
        r"you|your|yours|u|ya",
        r"how (?:do|does|can|could|should|would|might|to) |what(?:'s| is| are) (?:the best|a good|the ideal)",
        r"which (?:one|tool|app|platform|software|is|are|do|would|should)",
        r"where (?:do|can|should|would) (?:i|we)",
        r"should (?:i|we)|shall (?:i|we)|is there (?:a|an|any)|are there (?:any|other)|can (?:i|we|someone)",
        r"could (?:i|we)|is it (?:worth|possible|ok|okay|better|best|too|normal|just me)|worth it",
        # es
        r"ustedes|vosotr[oa]s|usted|vuestr[oa]s?|tus",
        r"como (?:haceis|hacen|lo haceis|lo hacen|puedo|podemos|se hace|hago)",
        r"que (?:usais|usan|herramienta|app)",
        r"cuales? (?:es|son|usais|usan|recomend)|vale la pena|hay (?:alguna|algun)|deberia|deberiamos",
        # fr
        r"vous|votre|vos|tu|toi|ton|tes|est-ce qu|vaut-il|faut-il|qui (?:a|utilise|connait)",
        r"comment (?:faites|vous|fait-on|faire|je|on|puis-je)",
        r"quel(?:le)?s? (?:outil|appli|application|logiciel)",
        # de
        r"ihr|euch|eure[rnms]?|du|dein[e]?[rnms]?",
        r"wie (?:macht|machen|kann|konnen|sollte|sollten|geht)|welche[srnm]? |gibt es|lohnt sich",
        # pt
        r"voces|voce|como (?:voces|fazem|posso|podemos)|qual|quais|vale a pena",
    )
)
# How an enquiry starts, when nothing else in the sentence says it is one.
_ENQUIRY_START = re.compile(
    _OPENING
    + _words(
        # Not "why": "Why do we still read slides aloud?" is usually a complaint, not an enquiry.
        r"how|what|which|where|when|who|does|do|is|are|can|could|should|would|will|has|have|any",
        r"ever (?:tried|used)",
        r"como|que|cual|cuales|donde|cuando|quien|hay|es|son|puedo|podemos|sabeis|conoceis",
        r"comment|quel|quelle|quels|quelles|ou|quand|qui|est-ce|peut-on",
        r"wie|was|welche|wo|wann|wer|gibt|kann|konnt",
        r"qual|quais|onde|quando|quem|alguma",
    )
    + r"\b"
)
# Openers that frame a share, promote or exclaim: these questions do not want an answer.
_RHETORICAL_START = re.compile(
    _OPENING
    + _words(
        r"ever (?:wondered|wonder)|have you ever wondered|wonder(?:ing|ed)? (?:what|how|why|whether)",
        r"want to (?:see|know|hear|learn)|wanna (?:see|know)|curious (?:what|how|about|to see)",
        r"did you know|guess what|what if|why not|remember when|ready (?:to|for)|seen our",
        r"who (?:knew|says|said|doesn'?t|does not|wouldn'?t|would have thought)",
        r"(?:have you|did you) (?:seen|see|heard|met|checked out|caught)",
        r"how (?:cool|good|great|amazing|brilliant|awesome|fab|lovely|fantastic) (?:is|are|was)",
        r"isn'?t (?:it|that|this)|aren'?t (?:they|we)|what'?s not to (?:love|like)|can you believe",
        r"can you (?:tell|guess)|guess (?:who|which|how)",
        r"need (?:a |some )?inspiration|what could be better|who needs|how hard can it be|right\?",
        r"sound familiar|ring a bell|know the feeling|tired of|fed up with|sick of|bored of|drowning in",
        r"what'?s the point|what is the point|(?:do|does) (?:we|anyone) really need",
        # es
        r"(?:alguna vez )?te has preguntado|os habeis preguntado|te preguntas|quieres (?:ver|saber|conocer)",
        r"sabias que|y si|por que no",
        # fr
        r"vous vous (?:etes )?(?:deja )?demand\w*|tu t'?es (?:deja )?demande",
        r"envie de (?:voir|savoir|decouvrir)",
        r"vous voulez (?:voir|savoir)|saviez-vous|et si|pourquoi pas",
        # de, pt
        r"schon mal gefragt|wolltet ihr schon|wusstet ihr|warum nicht",
        r"ja se perguntou|quer (?:ver|saber)|sabia que|e se|por que nao",
    )
    + r"\b"
)
# A question about our own past ("What did we learn?") or a teaser ("The result?") is answered next.
_SELF_ANSWERED = re.compile(
    _OPENING
    + _words(
        r"(?:what|how|why|where|when|who) (?:did|had|was|were) (?:we|i|our|my|it|they|the)\b",
        r"(?:the|el|la|le|les|das|die|der|o|a) "
        + _words(
            r"result|outcome|verdict|best part|secret|answer|reason|impact|upshot|key|trick|catch",
            r"response|feedback|resultado|secreto|clave|truco|resultat|cle|astuce|ergebnis|geheimnis|fazit",
        )
        + r"s?\b",
    )
)
# A following sentence that answers or shows: "Here's ours", "Watch", "Voici", "Aquí", "Because…".
_ANSWER_START = re.compile(
    "^"
    + _words(
        r"here(?:'s| is| are)|heres|this is how|these are|that'?s (?:what|how|why)|watch|this[:!]|ours[:!.]",
        r"check (?:it |this |them )?out|see (?:below|how|our|what|the)|take a look|find out|spoiler",
        r"short answer|answer:|because|turns out|the answer|yes|yep|yup|no[,.!]|nope",
        r"we did|we do|it is|it was|it does|it did|try |look no further|i think not|i don'?t think so",
        r"exactly[.!]|of course|obviously|clearly|not any ?more|no more",
        r"voici|voila|regardez|decouvrez|parce que|la reponse|oui|non[,.!]",
        r"aqui|mira|mirad|descubre|este es|esta es|estos son|porque|la respuesta|si[,.!]",
        r"hier|schaut|weil|ja[,.!]|nein|veja|confira|sim[,.!]|nao[,.!]",
    )
)
# Requests without a question mark, anywhere in a sentence.
_REQUEST = re.compile(
    r"\b"
    + _words(
        r"looking for|on the hunt for|in search of|searching for",
        r"hoping (?:someone|somebody|to hear|for (?:some|any|ideas|tips|advice))",
        r"(?:tips|ideas|suggestions|advice|recommendations|recs|thoughts|feedback|pointers|input|examples"
        r"|comments) (?:are |very |most )?"
        r"(?:welcome|appreciated|gratefully received|please|wanted|needed|much appreciated)",
        r"(?:would|i'?d|we'?d) (?:love|welcome) (?:to hear|your|some|any|to know)",
        r"(?:would|i'?d|we'?d) (?:love|welcome) to see (?:how|what|your|other)",
        r"love to hear|keen to (?:hear|know|learn how)|interested (?:to hear|to know|in hearing)|lmk",
        r"curious to (?:hear|know|learn)|curious (?:how|what|whether|if) (?:others|other|anyone|you)",
        r"(?:reply|comment|answer)(?: \w+)? below|in the (?:comments|replies)|happy to hear from",
        r"(?:dm|message|ping|tag) me if (?:you|anyone) (?:have|has|know|knows|use|uses|can|could|tried)",
        r"let (?:me|us) know (?:what|how|your|in|if (?:anyone|you have|you've|you know|there|it))",
        r"please share (?:your|any|how|what|examples|ideas)|drop (?:your|a|them|any|links?) |point me",
        r"share your (?:thoughts|ideas|examples|experiences?|tips|favourites?|favorites?|go-to|wisdom)",
        r"share your (?:advice|top)",
        r"send (?:me|them) (?:your|any)|grateful for (?:any|your)|appreciate any|thanks in advance",
        r"(?:i'?d|we'?d|would)(?: be)?(?: really| very| so| most| hugely)? (?:appreciate|grateful)",
        r"help (?:needed|wanted|please)",
        r"(?:i|we) (?:really )?need (?:some |your )?(?:help|advice|ideas|tips|suggestions|recommendations)",
        r"can anyone|could anyone|does anyone|has anyone|have any of you|is anyone",
        r"anyone (?:else|got|have|has|know|knows|tried|using|use|recommend|able|out)",
        r"wondering (?:if|whether) (?:anyone|anybody|someone|others|any of you|people|folks|you)",
        r"i wonder if (?:anyone|anybody|others|you)",
        # es
        r"busco|estoy buscando|buscamos|se agradece|agradeceria|agradecere|contadme|me contais",
        r"agradezco (?:cualquier|ideas|sugerencias|consejos)|me encantaria (?:saber|conocer|leer|ver)",
        r"cualquier (?:idea|sugerencia|consejo|recomendacion)|acepto (?:sugerencias|ideas|consejos)",
        r"alguien (?:ha|sabe|usa|conoce|tiene|puede|recomienda|utiliza)|necesito (?:ayuda|ideas|consejos)",
        # fr
        r"je cherche|nous cherchons|on cherche|preneu(?:r|se)|merci d'?avance|merci par avance|dites-moi",
        r"toute (?:idee|suggestion|aide)|besoin d'?aide|besoin de (?:conseils|vos)",
        r"n'?hesitez pas a (?:partager|me dire|commenter|me faire)",
        # de
        r"ich suche|wir suchen|hat jemand|kennt jemand|jemand (?:erfahrung|erfahrungen|tipps)",
        r"bin dankbar fur",
        r"freue mich (?:uber|auf) (?:tipps|ideen|erfahrungen|eure|euren|ruckmeldungen|anregungen)",
        # pt
        r"procuro|estou procurando|alguem (?:ja|sabe|usa|conhece|tem|pode|recomenda)|alguma dica",
        r"aceito (?:sugestoes|dicas)|agradeco (?:qualquer|dicas|sugestoes)",
    )
)
# Requests that only read as requests at the start of a sentence ("Any tips for…", "Help!").
_REQUEST_START = re.compile(
    r"^(?:so |and |also )?"
    + _words(
        r"any (?:tips|ideas|advice|suggestions|recommendations|thoughts|pointers|examples|recs)",
        r"(?:quick )?question(?: for| to|:)|q:|help\b|sos\b",
        r"ayuda\b|pregunta(?: para|:)|question (?:pour|a|aux)|frage an",
        r"des idees|une idee|tipps\b|ideen\b|ideas\b|dicas\b|ideias\b",
    )
)
# "Loom or Screencastify?", "¿Edpuzzle o Nearpod…?": a choice offered to the reader.
_CHOICE = re.compile(r"\w \b(?:or|o|ou|oder)\b \w")
# Spanish "vosotros" verbs address the reader: "¿Grabáis…?", "¿Usáis…?" (only read in Spanish).
_VOSOTROS_VERB = re.compile(r"\b[a-z]{2,}(?:ais|eis)\b")
# "What does a flipped meeting look like?" next to a shared video is a title, not an enquiry.
_DESCRIBES = re.compile(
    r"\b(?:look|looks|sound|sounds) like\b|\b(?:ressemble|se ve|sieht .{0,30} aus|parece)\b"
)
# A question written without its question mark: "Do you…", "Which is better…", "Has anyone…".
_INVERTED_START = re.compile(
    _OPENING
    + _words(
        r"(?:do|does|did|is|are|can|could|should|would|will|has|have)"
        r" (?:you|anyone|anybody|someone|there|your)",
        r"which (?:is|are|one|do|would|should)|how (?:do|does|can|should|would) (?:you|i|we|others|other)",
        r"what (?:do|does|would) (?:you|your)|where (?:do|can|should) (?:you|i|we)",
    )
    + r"\b"
)
_QUESTION_END = re.compile(r"[?？][^\w\"'”’»]*$")
_SURPRISE_END = re.compile(r"(?:\?!|!\?)[^\w]*$")
_LEADING_MARKS = "¿¡ \"'("
_SHORT_QUOTE = 70


def detect_question(post: Post, prose: Prose) -> Label | None:
    """A ``question`` label quoting what the post asks, or ``None`` when it asks nothing."""
    if post.poll_options:
        return Label("question", 0.95, f"runs a poll ({len(post.poll_options)} options): {_quote(prose)}")
    best: tuple[float, str] | None = None
    sentences = prose.sentences
    shares = bool(post.links or post.media)
    spanish = (post.language or "").lower().startswith("es")
    for index, sentence in enumerate(sentences):
        following = sentences[index + 1] if index + 1 < len(sentences) else None
        confidence = asking_confidence(sentence, following, shares=shares, spanish=spanish)
        if confidence and (best is None or confidence > best[0]):
            best = (confidence, sentence.text)
    if best is None:
        return None
    return Label("question", best[0], f"asks the community: '{_shorten(best[1])}'")


def asking_confidence(
    sentence: Sentence, following: Sentence | None = None, *, shares: bool = False, spanish: bool = False
) -> float:
    """How surely ``sentence`` asks the community something (0 when it does not).

    ``following`` is the next sentence (it may answer this one), ``shares`` says the post links or
    attaches something, ``spanish`` that it is written in Spanish.
    """
    folded = sentence.folded.lstrip(_LEADING_MARKS)
    if not _QUESTION_END.search(folded):
        if _REQUEST.search(folded) or _REQUEST_START.match(folded):
            return 0.85
        if _INVERTED_START.match(folded) and not folded.endswith(("!", ".")):
            return 0.6
        return 0.0
    if _SEEKS.search(folded) or _REQUEST.search(folded) or _REQUEST_START.match(folded):
        return 0.9
    if _SURPRISE_END.search(folded) or _RHETORICAL_START.match(folded) or _SELF_ANSWERED.match(folded):
        return 0.0
    if following is not None and _ANSWER_START.match(following.folded.lstrip(_LEADING_MARKS)):
        return 0.0
    if _ADDRESSES.search(folded):
        return 0.8
    if (spanish or "¿" in sentence.folded) and _VOSOTROS_VERB.search(folded):
        return 0.8
    explicit = _ENQUIRY_START.match(folded) or _CHOICE.search(folded) or sentence.folded.startswith("¿")
    if explicit and not (shares and _DESCRIBES.search(folded)):
        return 0.65
    return 0.0


def _quote(prose: Prose) -> str:
    text = next((s.text for s in prose.sentences if not s.text.startswith("#")), "")
    return f"'{_shorten(text)}'" if text else "no question text"


def _shorten(text: str) -> str:
    return text if len(text) <= _SHORT_QUOTE else text[: _SHORT_QUOTE - 1].rstrip() + "…"
