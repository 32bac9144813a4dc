"""Requests written without a question mark, and offers that look like them.

The shapes, in every language the community writes in:

* wanting to know: "Would love to hear how…", "Keen to borrow…", "Me gustaría saber…",
  "Ich würde gern wissen…", "Ik hoor graag…", "Hoffwn wybod…";
* asking for the reader's input: "your thoughts", "vuestra opinión", "jullie advies", "tips gezocht",
  "idee benvenute";
* an imperative to the reader that asks for something: "Give me your best tip", "Tell me…",
  "Point me at…", "Dites-moi", "Contadme", "Ditemi", "Rhowch wybod";
* a call to the community: "Calling all deputy heads: …", "Hive mind, please: …";
* "get in touch if you have tried…" (a request) against "ping me if you want the slides" (an offer):
  contact me, on the condition that *you have done* something, asks; on the condition that *you want*
  something, offers.

Every pattern reads the folded sentence (lower case, no accents, plain apostrophes).
"""

from __future__ import annotations

import re

from bot.classify.alternation import by_first_character


def _words(*phrases: str) -> str:
    return "(?:" + "|".join(phrases) + ")"


# "Keen to see how other schools…" asks; "keen to see how it goes" hopes.
_OTHERS = r"(?:how|what|which)? ?(?:other|others|you|your|people|schools|colleagues|examples|anyone)\b"
_INPUT_NOUNS = _words(
    r"thoughts|views|opinions?|ideas|tips|advice|experiences?|feedback|input|recommendations|suggestions",
    r"pointers|wisdom|insights?|steer|retours|avis|idees|conseils|astuces|experiences|opinion|opiniones",
    r"consejos|sugerencias|experiencias|meinung|meinungen|tipps|ideen|erfahrungen|ratschlage|hinweise",
    r"anregungen|advies|ideeen|ervaringen|mening|suggesties|consigli|idee|opinioni|esperienze",
    r"suggerimenti|pareri|dicas|ideias|opinioes|sugestoes|syniadau|barn|profiad|awgrymiadau|cyngor",
)
_YOUR = _words(
    r"your|vos|votre|vuestr[oa]s?|tus|eure[rnms]?|deine?[rnms]?|jullie|jouw|uw|vostr[oaie]|tuoi|vostri",
    r"seus|suas|teus|tuas|de voces|eich|dy",
)
_THANKS_FOR = re.compile(
    r"\b(?:thanks?(?: you)?|thank you so much|merci|gracias|danke|bedankt|grazie|obrigad[oa]|diolch)"
    r"(?: \w+){0,2} (?:for|pour|por|fur|voor|per|pel[oa]s?|pelo|am)\b"
)
_WANT_TO_KNOW = _words(
    r"(?:would|'d|d) (?:be )?(?:really |so |very |most |hugely )?(?:love|glad|happy|keen|grateful|interested"
    r"|delighted|curious) (?:to (?:hear|know|learn|find out|compare|borrow|read|see "
    + _OTHERS
    + r")|for any)",
    r"(?:love|keen|eager|curious|dying|desperate) to (?:hear|know|learn|borrow|nick|steal|pinch|compare"
    r"|find out|pick|see " + _OTHERS + r")",
    r"(?:after|need|needing|desperate for|in need of|on the lookout for|hunting for) (?:a |some |any )?"
    r"(?:steer|pointers?|advice|tips|ideas|recommendations|suggestions|help|examples|template|steers)",
    r"happy to be pointed|be pointed (?:at|to|towards|in)|open to (?:any |some |all )?"
    r"(?:suggestions|ideas|advice|tips|recommendations|thoughts)",
    r"i'?d like to (?:know|hear|learn)",
    r"(?:i wonder|(?:i'?m |i am |i was |just |been )?wondering) (?:how|what|whether|if|which)"
    r" (?:others|other|you|people|schools|folks|everyone|anyone|colleagues)",
    r"pick (?:your|anyone'?s|people'?s) brains?|(?:keen|happy|love) to compare notes",
    # fr, es, de
    r"j'?aimerais (?:savoir|connaitre|avoir)|je voudrais (?:savoir|connaitre)",
    r"curieu(?:x|se) de (?:savoir|connaitre)",
    r"je suis preneu(?:r|se)|je serais preneu(?:r|se)|(?:preneur|preneuse) de",
    r"me gustaria (?:saber|conocer|leer)|quisiera (?:saber|conocer)|necesito (?:vuestra|vuestro|su|tu)",
    r"(?:ich )?(?:wurde|mochte) (?:gern|gerne) (?:wissen|erfahren|horen)|wusste gern|bin gespannt",
    # nl, it, pt, cy
    r"ik (?:hoor|lees) (?:het )?graag|ik ben benieuwd|ik zou graag (?:willen )?weten|wie weet",
    r"vorrei sapere|mi piacerebbe (?:sapere|conoscere|sentire)",
    r"mi farebbe piacere (?:sapere|sentire|conoscere)|sarei curios[oa]",
    r"cerco (?:idee|consigli|suggerimenti|esempi)",
    r"gostaria de (?:saber|conhecer|ouvir|entender)|queria (?:saber|entender|conhecer)",
    r"adoraria (?:saber|ouvir)",
    r"hoffwn (?:wybod|glywed)|byddwn yn ddiolchgar|baswn i'?n ddiolchgar",
    # "It would be great to hear how…", in each language.
    r"(?:would be|'d be|would be really|'d be really)"
    r" (?:great|good|lovely|helpful|useful|interesting|brilliant) to (?:hear|know|learn|see how|see what)",
    r"byddai'?n (?:wych|dda|braf|ddefnyddiol) (?:clywed|gwybod)",
    r"ce serait (?:super|bien|top|genial) d'?avoir",
    r"(?:estaria bien|seria genial|seria util) (?:saber|conocer)",
    r"ware (?:toll|super|schon|gut|hilfreich) zu (?:horen|wissen)",
    r"zou (?:fijn|leuk|mooi|handig) zijn om te (?:horen|weten)",
    r"sarebbe (?:bello|utile|interessante) (?:sapere|sentire)",
    r"seria (?:otimo|bom|util) (?:saber|ouvir)",
    r"(?:tipps|ideen|hinweise|erfahrungen|anregungen|ruckmeldungen)\b.{0,50}\b(?:freuen|dankbar)",
)
# Only read as yes or no, so its phrases can be grouped for speed.
_WANT_TO_KNOW_RE = re.compile(r"\b" + by_first_character(_WANT_TO_KNOW))
# Not at the start of the sentence: "Your feedback shaped this plan" reports, it does not ask.
_INPUT_OF_YOURS = re.compile(r"\b(?<!^)" + _YOUR + r" (?:\w+ )?" + _INPUT_NOUNS + r"\b")
_INPUT_WANTED = re.compile(
    r"\b" + _INPUT_NOUNS + r" (?:\w+ )?(?:welkom|gezocht|gevraagd|bienvenus?|bienvenues?|bienvenid[oa]s"
    r"|willkommen|gesucht|erwunscht|benvenut[ie]|graditi|bem-vind[oa]s|bem vind[oa]s|croeso|welcome|wanted"
    r"|please|pls|plz)\b"
)
_ASKING_IMPERATIVE = re.compile(
    r"^(?:please |pls |so |ok |right,? )?"
    + by_first_character(
        r"(?:give|tell|send|show|teach|point|recommend|suggest|throw|lend|hit|talk) (?:me|us)"
        r" (?:your|yours|what|how|which|why|where|who|if|whether|one|some|any|the best|the most|at|to|towards"
        r"|in the direction|about your|about how|about any|an"
        r"|a (?!shout|ping|message|dm|line|call|bell|nudge|note|email)\w+)\b",
        r"(?:share|recommend|suggest|name|describe) (?:your|any|one|some|the best|a good|what|how)\b",
        r"dites-(?:moi|nous)|racontez-(?:moi|nous)|donnez-(?:moi|nous)|conseillez-(?:moi|nous)",
        r"partagez (?:vos|moi)",
        r"decidme|contadme|decime|dime|decidnos|contadnos|recomendadme|pasadme|compartid|contame",
        r"(?:sagt|erzahlt|schreibt|empfehlt|verratet|zeigt) (?:mir|uns)",
        r"vertel (?:me|ons|eens)|laat (?:me|maar|het) (?:even )?weten|deel (?:je|jullie|uw)",
        r"ditemi|raccontatemi|fatemi sapere|consigliatemi|scrivetemi|suggeritemi|condividete",
        r"digam|contem|me digam|me contem|compartilhem|partilhem|indiquem|recomendem",
        r"rhowch wybod|dwedwch wrtha i|rhannwch eich",
        # Asking for help: "Help a new head out", "Me ajudem", "Echadme una mano", "Helft mir".
        r"help (?:me|us|a [\w-]+(?: [\w-]+)? out)\b|aidez-(?:moi|nous)|ayudadme|echadme una mano|me ayudais",
        r"helft (?:mir|uns)|helpen jullie|aiutatemi|datemi una mano|mi date una mano|me ajudem|ajudem-me",
        r"helpwch (?:fi|ni)",
    )
)
# "Hive mind, …" always asks; "Calling all parents: the fair is on Saturday!" may only announce, so
# a call to a group asks when what follows it does (see bot.classify.questions).
_CALL_TO_COMMUNITY = re.compile(
    r"^(?:hive ?mind|lazyweb|dear lazyweb|fedi(?:verse)?(?: friends)?|edufedi"
    r"|mastodon (?:friends|folks|teachers))\b"
)
CALL_TO_A_GROUP = re.compile(
    r"^(?:calling all|paging|attention|avis aux|appel aux|a l'attention des|llamada a|atencion|oproep aan"
    r"|aufruf an|an alle|chiamata a|tutti i|a todos os|atencao|galw ar)\b[^:,—–]*[:,—–]\s*"
)
# The patterns :func:`starts_a_request` reads at the start of a sentence.
OPENING_REQUESTS = (_CALL_TO_COMMUNITY, _ASKING_IMPERATIVE)
_CONTACT = re.compile(
    r"\b(?:ping|dm|pm|message|email|e-mail|tag|text|call|shout at|holler at) (?:me|us)\b|\bdm me\b"
    r"|\bgive (?:me|us) a (?:shout|ping|call|bell|nudge)|\bget in touch"
    r"|\bdrop (?:me|us) a (?:line|note|message|dm)"
    r"|\breach out|\blet (?:me|us) know|\blmk\b|\bget in contact|\bcontact me"
)
_IF_YOU_WANT = re.compile(
    r"\bif (?:you|anyone|anybody|people|any of you|someone)(?:'d| would| are| 're|'re)?"
    r" (?:like|want|wants|fancy|fancies|need|needs|interested|wish|keen)\b"
)
_IF_YOU_HAVE = re.compile(r"\bif (?:you|your|anyone|anybody|any of you|someone|somebody|people|other|any)\b")
_OFFER = re.compile(
    r"\b(?:happy|glad) to (?:share|send|pass|help|show|lend|talk it through)\b"
    r"|\bfree to (?:anyone|use|reuse|borrow)"
    r"|\bwant (?:a|the|my) (?:copy|slides|template)\b"
)


# Cheap tests run before the patterns they guard: each pattern's every match contains one of the words
# (tests/test_classify_guards.py checks this on strings generated from the patterns).
_INPUT_WANTED_WORDS = (
    *("welkom", "gezocht", "gevraagd", "bienven", "willkommen", "gesucht", "erwunscht", "benvenut"),
    *("graditi", "vind", "croeso", "welcome", "wanted", "please", "pls", "plz"),
)

# One scan for all of them, rather than one ``in`` test a word.
_ANY_INPUT_WANTED_WORD = re.compile("|".join(map(re.escape, _INPUT_WANTED_WORDS)))


def may_contact(folded: str) -> bool:
    """Whether :data:`_CONTACT` can match: each match has " me", " us", "get in ", "reach out" or "lmk"."""
    return (
        " me" in folded or " us" in folded or "get in " in folded or "reach out" in folded or "lmk" in folded
    )


def may_offer(folded: str) -> bool:
    """Whether :data:`_OFFER` can match: it always contains "to " or "want "."""
    return "to " in folded or "want " in folded


def may_want_input(folded: str) -> bool:
    """Whether :data:`_INPUT_WANTED` can match: it always ends in a word of :data:`_INPUT_WANTED_WORDS`."""
    return _ANY_INPUT_WANTED_WORD.search(folded) is not None


def _if_you_want(folded: str) -> bool:
    return "if " in folded and _IF_YOU_WANT.search(folded) is not None


def _offers(folded: str) -> bool:
    return may_offer(folded) and _OFFER.search(folded) is not None


def starts_a_request(folded: str) -> str | None:
    """The requests read from how a sentence starts (a call to the community, an imperative), or ``None``."""
    if _CALL_TO_COMMUNITY.match(folded):
        return "calls on the community"
    if _ASKING_IMPERATIVE.match(folded) and not _if_you_want(folded):
        return "asks the reader for something"
    return None


def requests_without_question_mark(folded: str, *, opens: bool = True) -> str | None:
    """What kind of request the sentence makes, for the label's reason, or ``None``.

    ``opens=False`` says the caller has found that no pattern :func:`starts_a_request` reads
    matches at the start of the sentence.
    """
    start = starts_a_request(folded) if opens else None
    if start:
        return start
    if may_contact(folded) and _CONTACT.search(folded) is not None and "if " in folded:
        if _IF_YOU_WANT.search(folded):
            return None
        if _IF_YOU_HAVE.search(folded):
            return "asks people who have done it to get in touch"
    if may_want_input(folded) and _INPUT_WANTED.search(folded):
        return "asks for input"
    if _INPUT_OF_YOURS.search(folded) and not _THANKS_FOR.search(folded) and not _offers(folded):
        return "asks for the reader's input"
    if _WANT_TO_KNOW_RE.search(folded) and not _offers(folded):
        return "wants to hear from others"
    return None


def is_offer(folded: str) -> bool:
    """Whether the sentence offers something ("ping me if you want the slides", "happy to share")."""
    return (_if_you_want(folded) and may_contact(folded) and _CONTACT.search(folded) is not None) or _offers(
        folded
    )
