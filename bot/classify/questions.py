"""The ``question`` label: the post asks the community something and wants an answer.

A post asks when it runs a poll, when a sentence asks for help without a question mark ("Looking for
examples of…", "Tips welcome", "Des idées ?", "Merci d'avance"), or when it has a question that is
meant to be answered. A question mark alone is not enough:

* rhetorical openers frame a share ("Ever wondered what a flipped meeting looks like? Here's ours"),
* a question the post answers itself ("The result? Staff loved it."),
* surprise ("Is it Friday already?!"), a quoted or reported question, and ``?`` inside links
  (links are removed before reading).

A question counts when it addresses someone (anyone, you, vous, jullie, chi…: see
:mod:`bot.classify.address`), asks for tips, ideas or advice, or opens like a real enquiry (how /
what / which / should we…) and nothing answers it: not a yes or no, an "A:", or the author's own
"Me!" in the next sentence, and not "Who among us hasn't…?". Without a question mark, a sentence asks
when its word order does ("Does Nearpod still limit…", "Hebben jullie…") or when it makes a request
(:mod:`bot.classify.requests`: "Would love to hear…", "Tips gezocht", "get in touch if your school has
tried…", but not the offer "ping me if you want the slides"). A short question closing a share
("Pace OK?") asks for feedback on it. Words are matched on lower-case text without accents (see
:func:`bot.classify.prose.fold`), in English, French, Spanish, German, Dutch, Italian, Portuguese and
Welsh. In any other language (by the post's language code, or by its script when it has none) a
question that is not a surprise counts as asked, since there are no words to judge it by.
"""

from __future__ import annotations

import re

from bot.classify.address import addresses_reader, asks_by_word_order, language_of, rules_read
from bot.classify.alternation import by_first_character
from bot.classify.labels import Label
from bot.classify.prose import Prose, Sentence, word_set
from bot.classify.requests import (
    CALL_TO_A_GROUP,
    OPENING_REQUESTS,
    is_offer,
    requests_without_question_mark,
    starts_a_request,
)
from bot.posts import Post

_ASKS = "asks the community"
# The highest confidence :func:`asking` gives: once a sentence has it, no later one can replace it.
_SURELY = 0.9
_TOKEN = re.compile(r"\w[\w'-]*")
# For ASCII text: what _TOKEN's words are made of stays, anything else becomes a space.
_ASCII_TOKEN_BYTES = bytes(
    code if code < 128 and (chr(code).isalnum() or chr(code) in "_'-") else 32 for code in range(256)
)
_WORDY = re.compile(r"(?:^|\s)[^#\s]*[^\W\d_]")
# Every request without a question mark (below and in :mod:`bot.classify.requests`) contains one of
# these words; a sentence with none of them skips those patterns. Most sentences are statements, and
# this keeps classifying fast.
_REQUEST_WORDS = word_set(
    """
    coup hear learn byddai'n byddai serait estaria seria ware zou sarebbe aidez-moi aidez-nous ayudadme
    echadme ayudais helft helpen aiutatemi datemi date ajudem ajudem-me helpwch tipps ideen hinweise
    erfahrungen anregungen ruckmeldungen freuen
    looking hunt search searching hoping tips ideas suggestions advice recommendations recs thoughts
    feedback pointers input examples comments replies below love welcome keen interested lmk curious
    happy if know share drop point send grateful appreciate thanks help need anyone anybody any
    wondering wonder busco buscando buscamos agradece agradeceria agradecere contadme contais
    agradezco encantaria cualquier acepto alguien necesito cherche cherchons preneur preneuse merci
    dites-moi toute besoin hesitez n'hesitez suche suchen jemand dankbar freue procuro procurando
    alguem alguma aceito agradeco glad eager dying desperate after needing lookout hunting pointed
    open like brains compare j'aimerais voudrais curieux curieuse gustaria quisiera wurde mochte
    wusste gespannt hoor lees benieuwd graag weet vorrei piacerebbe piacere curioso curiosa cerco
    gostaria queria adoraria hoffwn byddwn baswn your vos votre vuestro vuestra vuestros vuestras
    tus eure euer eurer euren eurem eures deine deiner deinen deinem deines dein jullie jouw uw
    vostro vostra vostri vostre tuoi seus suas teus tuas voces eich dy welkom gezocht gevraagd
    bienvenu bienvenus bienvenue bienvenues bienvenidos bienvenidas willkommen gesucht erwunscht
    benvenuti benvenute graditi bem-vindos bem-vindas vindos vindas croeso wanted please pls plz
    """
)
# "…, does the ending drag": beside a share, a yes/no question about it, even without its mark.
_ABOUT_THE_SHARE = re.compile(
    r"(?:^|[:;,—–] |- )(?:does|do|is|are|did|was|will|would|should|can)"
    r" (?:the|this|it|that|my|our|these|those|its)\b"
)
# "Pace OK?", "Too much jargon?" at the end of a share ask the reader to judge it.
_ELLIPTICAL_WORDS = 5
_OPEN_QUOTES = "\"'“‘«„"
_CLOSE_QUOTES = "\"'”’»“"


def _words(*phrases: str) -> str:
    """One regex alternation from phrases (each may itself be a small regex)."""
    return "(?:" + "|".join(phrases) + ")"


_OPENING = r"^(?:¿\s*)?(?:and |so |but |also |ok |then |y |et |und |e )?"

# The long alternations below are only read as yes or no, so their phrases are grouped for speed
# (see bot.classify.alternation); _SELF_ANSWERED and the short ones keep plain alternations.
# Words that ask others for something: anyone / any tips / alguien / quelqu'un / jemand / alguém.
_SEEKS = re.compile(
    r"\b"
    + by_first_character(
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
        r"vos (?:idees|retours|avis|suggestions)|vos conseils(?! d)|des recommandations|des avis|un avis",
        # it
        r"qualcuno|consigli|suggerimenti|esperienze|pareri",
        # de, pt
        r"jemand|jemandem|tipps|ideen|erfahrungen|empfehlungen|anregungen",
        r"alguem|dicas|ideias|sugestoes|recomendacoes",
    )
    + r"\b"
)
# Second person, and the shapes of a real enquiry ("how do we…", "should I…", "is it worth…").
_ADDRESSES = re.compile(
    r"\b"
    + by_first_character(
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
    + by_first_character(
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
    + by_first_character(
        r"ever (?:wondered|wonder)|have you ever wondered|wonder(?:ing|ed)? (?:what|how|why|whether)",
        r"want to (?:see|know|hear|learn)|wanna (?:see|know)|curious (?:what|how|about|to see)",
        r"did you know|guess what|what if|why not|remember when|ready (?:to|for)|seen our",
        r"who (?:knew|says|said|doesn'?t|does not|wouldn'?t|would have thought)",
        r"who(?:'s| is) (?:ready|excited|tired|counting|looking forward|with me|still awake|else)",
        r"wer hatte (?:das|es) gedacht|qui l'?eut cru|qui aurait cru|quien lo (?:hubiera|iba a) dicho"
        r"|wie had dat gedacht|chi l'?avrebbe detto|quem diria",
        # "Who said meetings had to be dull?", "You know what? It worked.", "Avete presente quando…?"
        r"quien (?:dijo|dice) que|qui a dit que|wer sagt (?:denn|eigentlich)|wer hat gesagt",
        r"chi (?:ha detto|dice) che",
        r"quem disse que|wie zegt dat|(?:do )?(?:you|ya) know (?:what|when)|vous savez quoi|tu sais quoi",
        r"vous voyez quand|sabes que|sabeis que|weisst du was|wisst ihr was|kennt ihr das|weet je wat",
        r"sai cosa|avete presente|hai presente|sabe de uma coisa|sabem quando|wyddoch chi be",
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
# "Who among us hasn't…?", "¿Quién no ha…?", "Qui n'a jamais…?", "Wer kennt es nicht": a question
# whose answer is "everyone" is said, not asked.
_RHETORICAL_WHO_NOT = re.compile(
    _OPENING + r"(?:who|quien|qui|wer|wie|chi|quem|pwy)(?: (?:among|of|here|else|amongst) ?\w*)?(?: \w+)?"
    r" (?:\w+n'?t|not|never|no|nunca|n'?a|ne|n'|nicht|niet|non|nao|nunca|jamais|nie|mai|erioed|ddim)\b"
)
# Someone who has done a thing is asked to get in touch, even when the post also offers something.
_SEEKS_OTHERS_DID = re.compile(r"\bif (?:your|any|other) (?:school|trust|team|setting|slt|department)")
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
    + by_first_character(
        r"here(?:'s| is| are)|heres|this is how|these are|that'?s (?:what|how|why)|watch|this[:!]|ours[:!.]",
        r"check (?:it |this |them )?out|see (?:below|how|our|what|the)|take a look|find out|spoiler",
        r"short answer|answer:|a:|r:|because|turns out|the answer|yes|yep|yup|yeah|no[,.!]|nope",
        r"absolutely|definitely|without (?:a|any) doubt|certainly|totally|not really|not at all|sadly not",
        r"ours (?:is|was|did|does|has|took|lasted)|in short|short version",
        # "Qui veut un café ? Moi !", "¿Cansados? Nosotros también": the author answers for themselves.
        r"(?:me|moi|yo|ich|ik|io|eu|fi|us|we do|we are|nous|nosotros|wir|wij|noi|nos)(?: (?:too|also|aussi"
        r"|tambien|auch|ook|anche|tambem|hefyd))?\s*[!.]",
        r"(?:me too|us too|nous aussi|moi aussi|yo tambien|nosotros tambien|wir auch|ich auch|wij ook|ik ook"
        r"|anche noi|anch'?io|nos tambem|eu tambem|fi hefyd)\b",
        r"absolument|carrement|evidemment|bien sur|sans (?:aucun )?doute|tout a fait|pas vraiment",
        r"claro|por supuesto|sin duda|desde luego|totalmente|para nada|en absoluto",
        r"absolut|klar[,.!]|naturlich|auf jeden fall|definitiv|durchaus|nee[,.!]|zeker|absoluut|natuurlijk",
        r"certo|assolutamente|certamente|senza dubbio|eccome|com certeza|sem duvida|ie[,.!]|do[,.!]|naddo",
        r"we did|we do|it is|it was|it does|it did|try |look no further|i think not|i don'?t think so",
        r"exactly[.!]|of course|obviously|clearly|not any ?more|no more",
        r"voici|voila|regardez|decouvrez|parce que|la reponse|oui|non[,.!]",
        r"aqui|mira|mirad|descubre|este es|esta es|estos son|porque|la respuesta|si[,.!]",
        r"hier|schaut|weil|ja[,.!]|nein|veja|confira|sim[,.!]|nao[,.!]",
    )
)
# A yes or no (or "A:") right after a question answers it, whoever the question was put to.
_REPLY_PARTICLE = re.compile(
    "^"
    + by_first_character(
        r"a:|r:|answer:|yes\b|yep\b|yup\b|yeah\b|no[,.!]|nope\b|absolutely|definitely",
        r"without (?:a|any) doubt|oui\b|non[,.!]|absolument|carrement|bien sur|sans (?:aucun )?doute",
        r"si[,.!]|claro[,.!]|por supuesto|sin duda|ja[,.!]|nein\b|auf jeden fall|absolut\b|nee[,.!]",
        r"zeker\b|absoluut|certo[,.!]|assolutamente",
        r"senza dubbio|sim[,.!]|nao[,.!]|com certeza|sem duvida|ie[,.!]|do[,.!]|naddo",
    )
)
# Requests without a question mark, anywhere in a sentence.
_REQUEST = re.compile(
    r"\b"
    + by_first_character(
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
        r"please share (?:your|any|how|what|examples|ideas)|drop (?:your|a|them|any|links?)|point me",
        r"share your (?:thoughts|ideas|examples|experiences?|tips|favourites?|favorites?|go-to|wisdom)",
        r"share your (?:advice|top)",
        r"send (?:me|them) (?:your|any)|grateful for (?:any|your)|appreciate any|thanks in advance",
        r"(?:i'?d|we'?d|would)(?: be)?(?: really| very| so| most| hugely)? (?:appreciate|grateful)",
        r"help (?:needed|wanted|please)",
        r"(?:i|we) (?:really )?need (?:some |your )?(?:help|advice|ideas|tips|suggestions|recommendations)",
        r"can anyone|could anyone|does anyone|has anyone|have any of you|is anyone",
        r"anyone (?:else|got|have|has|know|knows|tried|using|use|used|uses|recommend|recommends|able|out)",
        r"wondering (?:if|whether) (?:anyone|anybody|someone|others|any of you|people|folks|you)",
        r"i wonder if (?:anyone|anybody|others|you)",
        # es
        r"busco|estoy buscando|buscamos|se agradecen?|agradeceria|agradecere|contadme|me contais",
        r"agradezco (?:cualquier|ideas|sugerencias|consejos)|me encantaria (?:saber|conocer|leer|ver)",
        r"cualquier (?:idea|sugerencia|consejo|recomendacion)|acepto (?:sugerencias|ideas|consejos)",
        r"alguien (?:ha|sabe|usa|conoce|tiene|puede|recomienda|utiliza)|necesito (?:ayuda|ideas|consejos)",
        # fr
        r"je cherche|nous cherchons|on cherche|preneu(?:r|se)|merci d'?avance|merci par avance|dites-moi",
        r"toute (?:idee|suggestion|aide)|besoin d'?aide|besoin de (?:conseils|vos)|(?:un|petit) coup de main",
        r"n'?hesitez pas a (?:partager|me dire|commenter|me faire)",
        # de
        r"ich suche|wir suchen|hat jemand|kennt jemand|jemand (?:erfahrung|erfahrungen|tipps)",
        r"bin dankbar fur",
        r"freue mich (?:uber|auf) (?:tipps|ideen|erfahrungen|eure[nrms]?|ruckmeldungen|anregungen)",
        # pt
        r"procuro|estou procurando|alguem (?:ja|sabe|usa|conhece|tem|pode|recomenda)|alguma dica",
        r"aceito (?:sugestoes|dicas)|agradeco (?:qualquer|dicas|sugestoes)",
    )
    # A whole word: "looking for" is not "looking forward".
    + r"(?![a-z])"
)
# Requests that only read as requests at the start of a sentence ("Any tips for…", "Help!").
_REQUEST_START = re.compile(
    r"^(?:so |and |also )?"
    + _words(
        r"any (?:tips|ideas|advice|suggestions|recommendations|thoughts|pointers|examples|recs)",
        r"(?:quick )?question(?: for| to|:)|q:|help\b|sos\b",
        r"ayuda\b|pregunta(?: para|:)|question (?:pour|a|aux)|frage an",
        r"des idees|une idee|tipps\b|ideen\b|ideas\b|dicas\b|ideias\b",
        # "Any tips…" in the other languages: "Alguna recomendación para…", "Qualche consiglio…".
        r"(?:alguna|algun|alguma|algum|qualche|irgendwelche|unrhyw|enige|eventuele|quelques|des)"
        r" (?:idea|ideas|sugerencia|sugerencias|recomendacion|recomendaciones|consejo|consejos|dica|dicas"
        r"|ideia|ideias|sugestao|sugestoes|recomendacao|consiglio|consigli|idee|suggerimento|suggerimenti"
        r"|tipps|ideen|syniadau|awgrymiadau|tips|ideeen|suggesties|conseils|idees|suggestions|avis|retours)\b",
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
    + by_first_character(
        r"(?:do|does|did|is|are|can|could|should|would|will|has|have)"
        r" (?:you|anyone|anybody|someone|there|your)",
        r"which (?:is|are|one|do|would|should)|how (?:do|does|can|should|would) (?:you|i|we|others|other)",
        r"what (?:do|does|would) (?:you|your)|where (?:do|can|should) (?:you|i|we)",
    )
    + r"\b"
)
# Matches where any pattern read at the start of a sentence without a question mark does.
_READ_AT_THE_START = (_REQUEST_START, _INVERTED_START, CALL_TO_A_GROUP, *OPENING_REQUESTS)
_MAY_OPEN_A_REQUEST = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _READ_AT_THE_START))
_QUESTION_END = re.compile(r"[?？؟\u037e][^\w\"'”’»]*$")
_SURPRISE_END = re.compile(r"(?:\?!|!\?)[^\w]*$")
_LEADING_MARKS = "¿¡ \"'("
_SHORT_QUOTE = 70


def detect_question(post: Post, prose: Prose) -> Label | None:
    """A ``question`` label quoting what the post asks, or ``None`` when it asks nothing."""
    if post.poll_options:
        return Label("question", 0.95, f"runs a poll ({len(post.poll_options)} options): {_quote(prose)}")
    best: tuple[float, str, str] | None = None
    sentences = prose.sentences
    shares = bool(post.links or post.media)
    language = language_of(post.language)
    last_with_words = _last_with_words(sentences) if shares else len(sentences)
    for index, sentence in enumerate(sentences):
        following = sentences[index + 1] if index + 1 < len(sentences) else None
        # A short question closing a share ("Pace OK?") follows what it asks about.
        last = 0 < index >= last_with_words
        confidence, why = asking(sentence, following, shares=shares, language=language, last=last)
        if confidence and (best is None or confidence > best[0]):
            best = (confidence, why, sentence.text)
            if confidence >= _SURELY:
                break
    if best is None:
        return None
    return Label("question", best[0], f"{best[1]}: '{_shorten(best[2])}'")


def asking_confidence(
    sentence: Sentence, following: Sentence | None = None, *, shares: bool = False, spanish: bool = False
) -> float:
    """How surely ``sentence`` asks the community something (0 when it does not).

    ``following`` is the next sentence (it may answer this one), ``shares`` says the post links or
    attaches something, ``spanish`` that it is written in Spanish.
    """
    return asking(
        sentence, following, shares=shares, language="es" if spanish else "", last=following is None
    )[0]


def asking(
    sentence: Sentence, following: Sentence | None, *, shares: bool, language: str, last: bool
) -> tuple[float, str]:
    """How surely ``sentence`` asks the community something (0 when it does not), and how it asks.

    ``following`` is the next sentence (it may answer this one), ``shares`` says the post links or
    attaches something, ``language`` is the post's language code ("" when unknown), ``last`` that no
    sentence with words comes after this one.
    """
    folded = sentence.folded.lstrip(_LEADING_MARKS)
    if not _has_question_mark(folded) or not _QUESTION_END.search(folded):
        found = _asking_without_question_mark(sentence, folded, language)
        if (
            not found[0]
            and shares
            and may_ask_about_the_share(folded)
            and _ABOUT_THE_SHARE.search(folded)
            and not folded.endswith(("!", "."))
        ):
            return 0.6, "asks for feedback on what it shares"
        return found
    if _quoted_whole(sentence.text) or _RHETORICAL_WHO_NOT.match(folded):
        return 0.0, ""
    following_folded = following.folded.lstrip(_LEADING_MARKS) if following is not None else ""
    if following_folded and _REPLY_PARTICLE.match(following_folded):
        return 0.0, ""
    if _SEEKS.search(folded) or _REQUEST.search(folded) or _REQUEST_START.match(folded):
        return _SURELY, _ASKS
    if requests_without_question_mark(folded):
        return _SURELY, _ASKS
    if following_folded and _ANSWER_START.match(following_folded):
        return 0.0, ""
    if _SURPRISE_END.search(folded) or _RHETORICAL_START.match(folded) or _SELF_ANSWERED.match(folded):
        return 0.0, ""
    if _ADDRESSES.search(folded) or addresses_reader(folded, sentence.text, language):
        return 0.8, _ASKS
    if language == "es" and _VOSOTROS_VERB.search(folded):
        return 0.8, _ASKS
    explicit = _ENQUIRY_START.match(folded) or _CHOICE.search(folded) or sentence.folded.startswith("¿")
    if explicit and not (shares and _DESCRIBES.search(folded)):
        return 0.65, _ASKS
    if shares and last and len(folded.split()) <= _ELLIPTICAL_WORDS:
        return 0.6, "asks for feedback on what it shares"
    if not rules_read(language, folded):
        # No word lists to tell an enquiry from a rhetorical question: a question is taken as asked.
        return 0.6, "asks a question (in a language these rules have no word lists for)"
    return 0.0, ""


def may_ask_about_the_share(folded: str) -> bool:
    """Whether :data:`_ABOUT_THE_SHARE` can match: each match has " th", " it", " my" or " our"."""
    return " th" in folded or " it" in folded or " my" in folded or " our" in folded


def _asking_without_question_mark(sentence: Sentence, folded: str, language: str) -> tuple[float, str]:
    # Most sentences open like none of the patterns read at the start: one look rules them all out.
    opens = _MAY_OPEN_A_REQUEST.match(folded) is not None
    if _REQUEST_WORDS.isdisjoint(_tokens(folded)):
        if opens and _REQUEST_START.match(folded):
            return 0.85, _ASKS
        how = starts_a_request(folded) if opens else None
        if how:
            return 0.85, how
    else:
        if is_offer(folded) and not ("if " in folded and _SEEKS_OTHERS_DID.search(folded)):
            return 0.0, ""
        if _REQUEST.search(folded) or _REQUEST_START.match(folded):
            return 0.85, _ASKS
        how = requests_without_question_mark(folded, opens=opens)
        if how:
            return 0.85, how
    if not folded.endswith(("!", ".")) and (
        (opens and _INVERTED_START.match(folded)) or asks_by_word_order(folded, sentence.text, language)
    ):
        return 0.6, "asks without a question mark"
    return _call_to_a_group(sentence, folded, language) if opens else (0.0, "")


def _tokens(folded: str) -> list[str]:
    """``_TOKEN.findall(folded)``, faster for ASCII text."""
    if folded.isascii():
        kept = folded.encode("ascii").translate(_ASCII_TOKEN_BYTES).decode("ascii")
        # A run of kept characters that starts with "'" or "-" is a word only from its first letter on.
        if not (kept.startswith(("'", "-")) or " '" in kept or " -" in kept):
            return kept.split()
    return _TOKEN.findall(folded)


def _call_to_a_group(sentence: Sentence, folded: str, language: str) -> tuple[float, str]:
    """ "Calling all deputy heads: share your cover rotas" asks when what follows the call asks."""
    call = CALL_TO_A_GROUP.match(folded)
    if call is None or folded.endswith("!"):
        return 0.0, ""
    rest = folded[call.end() :]
    if (
        _REQUEST.search(rest)
        or _REQUEST_START.match(rest)
        or requests_without_question_mark(rest)
        or asks_by_word_order(rest, sentence.text[call.end() :], language)
    ):
        return 0.85, "calls on a group of readers"
    return 0.0, ""


def _has_question_mark(folded: str) -> bool:
    """Whether the sentence has any mark :data:`_QUESTION_END` looks for (most have none)."""
    return "?" in folded or "？" in folded or "؟" in folded or "\u037e" in folded


def _quoted_whole(text: str) -> bool:
    """A sentence that is all quotation ("'Any other business?'") reports a question, it does not ask."""
    stripped = text.strip()
    return len(stripped) > 2 and stripped[0] in _OPEN_QUOTES and stripped[-1] in _CLOSE_QUOTES


def _last_with_words(sentences: tuple[Sentence, ...]) -> int:
    """The index of the last sentence that says something (not only hashtags or emoji), or -1."""
    for index in range(len(sentences) - 1, -1, -1):
        if _WORDY.search(sentences[index].text):
            return index
    return -1


def _quote(prose: Prose) -> str:
    text = next((s.text for s in prose.sentences if not s.text.startswith("#")), "")
    return f"'{_shorten(text)}'" if text else "no question text"


def _shorten(text: str) -> str:
    return text if len(text) <= _SHORT_QUOTE else text[: _SHORT_QUOTE - 1].rstrip() + "…"
