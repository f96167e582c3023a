"""Swedish language data: word lists and patterns shared by ingestion and answering."""

from __future__ import annotations

import re

# -- sentence splitting ----------------------------------------------------------------------
# Added to the Moses non-breaking prefixes that sentence-splitter ships for Swedish. Plain
# entries never end a sentence ("bl.a. Kemi"); NUMERIC_ONLY ones do not when a number follows
# ("4 kap. 2 §", "prop. 2017/18:1", "3 dec. 2021").
NONBREAKING_PREFIXES = (
    "bl.a",
    "t.ex",
    "s.k",
    "m.m",
    "dvs",
    "d.v.s",
    "o.s.v",
    "osv",
    "etc",
    "inkl",
    "exkl",
    "resp",
    "ca",
    "jfr",
    "st",
    "kl",
    "tel",
    "fr.o.m",
    "t.o.m",
    "f.d",
    "p.g.a",
    "pga",
    "m.fl",
    "mfl",
    "o.d",
    "enl",
    "avd",
    "ang",
    "uppl",
    "övr",
    "ev",
    "fig",
    "forts",
    "ungef",
)
NONBREAKING_NUMERIC = (
    "kap",
    "prop",
    "s",
    "nr",
    "p",
    "mom",
    "art",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "okt",
    "nov",
    "dec",
    "dnr",
    "SFS",
    "bet",
    "rskr",
    "dir",
)

# -- page furniture --------------------------------------------------------------------------
# Link labels, logo descriptions and "more information" pointers: kept in the corpus (they are
# the document's text) but never used as an answer.
FURNITURE = re.compile(
    r"Länk till annan webbplats|^För mer information|^Läs mer|^Här kan du läsa|\blogo(type)?\b",
    re.IGNORECASE,
)

# Site furniture of crawled web pages (training/giellalt.py) that its rules on short lines do
# not catch because it is long: cookie and translation notices, share and link bars,
# dot-leader tables of contents, publishing labels.
SITE_FURNITURE = re.compile(
    r"\bkakor\b|\bcookies?\b|Google Translate|^Dela (?:på|via|denna)\b|\s\|\s|\.{5,}"
    r"|^Innehållsansvarig|^Publicera(?:d|t)\b",
    re.IGNORECASE,
)
# A short label that opens a block of furniture (contact details, related links, share bar):
# everything from it to the next heading of the page or the next real paragraph is dropped.
SITE_FURNITURE_BLOCK = re.compile(
    r"^(?:Kontakta|Relaterade?|Mer information|Läs mer|Dela)\b", re.IGNORECASE
)
# The page's own "last changed" line: dropped from the text, its date is the page's `updated`.
PAGE_UPDATED = re.compile(
    r"^(?:Uppdaterad|Uppdaterat|Senast (?:ändrad|uppdaterad|granskad)\S*)\s*:?\s+"
    r"(\d{4}-\d{2}-\d{2}|\d{1,2} [a-zåäö]+ \d{4})",
    re.IGNORECASE,
)

# -- footnotes -------------------------------------------------------------------------------
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")

# -- words -----------------------------------------------------------------------------------
SWEDISH_STOPWORDS = frozenset(
    """
    och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
    icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde
    något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under
    någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli blev
    oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom mellan
    sådant varför varje vilka ditt vem vilket sitt sådana vart dina vars vårt våra ert era
    vilkas också ska skall finns fanns även vilket vilken vilka hur många mycket mer mest bara
    får fått gör göra gjorde gjort sa säga kommer kom ligger ligga hos enligt inför annat andra
    annan hen hens henom
    """.split()  # noqa: SIM905 - a word list reads better as text
)

ENGLISH_STOPWORDS = frozenset(
    """
    the a an of to in on at for with by from is are was were be been being do does did has have
    had what which who whom whose when where why how many much is it its this that these those
    and or not no yes there their they them city municipality about as can could will would
    should any all some me my our your you we i
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Words that frame a question but say nothing about its topic.
QUESTION_WORDS = frozenset(
    """
    vad vilka vilken vilket vem vems när var varför hur många mycket länge står betyder innebär
    berätta beskriv förklara nämn lista räkna ge finns säg tala heter hette kallas kallades
    förkortning förkortningen förkortningar stod nämns nämnas anges
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Endings a corpus word may carry in a question (vänort, vänorter, vänorterna, ...).
INFLECTIONS = (
    "",
    "arna",
    "erna",
    "orna",
    "en",
    "et",
    "na",
    "er",
    "ar",
    "or",
    "t",
    "n",
    "s",
    "e",
    "a",
)

NUMBER_WORDS = [
    "två",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "nio",
    "tio",
    "elva",
    "tolv",
    "tretton",
    "fjorton",
    "femton",
    "sexton",
    "sjutton",
    "arton",
    "nitton",
    "tjugo",
    "trettio",
    "fyrtio",
    "femtio",
    "hundra",
    "tusen",
    "miljon",
    "miljoner",
]

# Nordic spellings of the same place (Tromsø/Tromsö, Bodø/Bodö) must meet. A soft hyphen
# (U+00AD) is an invisible hint where a browser may break a line ("Rätts\u00admedicinal\u00adverket"
# on regeringen.se); a reader sees one word, so matching must too.
FOLD = str.maketrans(
    {"ø": "ö", "æ": "ä", "é": "e", "è": "e", "ü": "u", "´": "'", "’": "'", "\u00ad": None}
)

# -- what a kind of question needs to see in an answer ---------------------------------------
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
_MONTHS = "|".join(MONTHS)
YEAR_OR_DATE = re.compile(
    rf"\b(19|20)\d\d(-\d\d-\d\d)?\b|\b\d{{1,2}} ({_MONTHS})\b|\b({_MONTHS}) (19|20)\d\d\b", re.I
)
# A year before 1900 after a time preposition ("offentlighetsprincipen från 1766"); a figure
# followed by a unit ("från 1500 kronor") is no year.
EARLY_YEAR = re.compile(
    r"\b(från|sedan|år|före|efter|redan|anno|till)\s+1[0-8]\d\d\b"
    r"(?!\s*(kr|kronor|st|stycken|%|procent|meter|m|km|kg|ton|personer|invånare)\b)",
    re.I,
)
# A decade or century ("1900-talet", "2010-talets"): no year a passage must name.
DECADE = re.compile(r"\b\d{3}0-tal\w*", re.I)
# A question word before a time noun asks when ("Vilka datum ...?", "Vilket
# ikraftträdandedatum ...?", "By which year ...?"), whatever else the question says.
ASKS_TIME_NOUN = (
    r"\b(vilke[nt]|vilka)\s+"
    r"(\w*datum|dag(en|ar|arna)?|år(tal)?|månad(er)?|vecka|veckor|tidpunkt)\b|"
    r"\b(which|what)\s+(year|date|day|month)s?\b"
)
# A question that asks for a year or date in so many words. A plain "När hålls valen?" or "När
# skickas meddelandet?" is answered as often by a recurring time, a period after an event or a
# situation ("andra söndagen i september", "48 timmar efter sista hämtningen"), so a passage
# without a year is no near miss for it.
# A "när" with a verb in the past tense asks when something happened, which a date answers
# ("När började Luleå samarbeta med Austin?", "När grundades föreningen?"), and so does one
# with a time noun after its question word (ASKS_TIME_NOUN),
ASKS_YEAR = re.compile(
    # ASKS_TIME_NOUN covers "vilket år", "vilka datum", "what date" and the like.
    ASKS_TIME_NOUN + "|"
    r"\b(sedan|sen) n[äa]r\b|\bårtal\b|\bsince when\b|"
    r"^\s*(och\s+|men\s+)?n[äa]r\s+(\w+(ade|de|te|dde|des|tes|ades)|kom|blev|fick|gick|tog|"
    r"togs|antogs|skrevs|skrev|gavs|sågs|valdes|bildade|var)\b|^\s*when\s+(did|was|were)\b|"
    # and one that asks when something begins or ends ("När börjar det nya ramavtalet?").
    r"^\s*(och\s+|men\s+)?n[äa]r\s+(börjar|startar|slutar|upphör|träder|löper|går ut)\b",
    re.I,
)
# Durations and periods: "fyra år", "fyraåriga", "var fjärde år", "2019–2023", "under våren".
# A bare year is no duration ("från 2017"); a span, an end or a start is ("fram till 2022",
# "sedan 2003", "2019–2023").
DURATION = re.compile(
    rf"\b(sedan|sen|fram till|till och med|t\.o\.m\.?|från och med|fr\.o\.m\.?|mellan|till|"
    rf"under|since|until)\b[^.]{{0,30}}\b(19|20)\d\d\b|"
    # "2019–23" spans years; "2015-01-16" is a date, no span.
    rf"\b(19|20)\d\d\s*[–-]\s*(19|20)?\d\d\b(?![–-]\d)|"
    rf"\b\d+ år\b|\w+årig\w*|\bvar(t|je)? [\w:]+ år\b|\b(många|flera) år\b|"
    rf"\b\d{{1,2}} ({_MONTHS})\b|\b({_MONTHS}|hösten|våren|sommaren|vintern)\b|"
    rf"\b(årlig\w*|varje år|per år|månadsvis|kvartalsvis|veckovis|dagligen|timvis|löpande)\b|"
    # Frequencies said as adjectives: "daglig backup", "månatliga rapporter".
    rf"\b(daglig|dagliga|dagligt|månatlig|månatliga|månatligt|veckovisa)\b|"
    r"\b(varje|per|varannan|vartannat|en gång (per|i|om)|två gånger (per|om)) "
    r"(dag|dygn|vecka|månad|kvartal|år|halvår|termin|timme|minut|sekund)\w*|"
    r"\b\d+\s*(sekund|minut|timm|tim|dag|dygn|veck|månad)\w*|"
    # "tre år", "sex månader", "två veckor": a number in words and a unit of time.
    rf"\b({'|'.join(NUMBER_WORDS)}|en|ett)\s+(år|sekund|minut|timm|dag|dygn|veck|månad)\w*|"
    # A number joined to the unit in a compound: "en 3-årscykel", "femårsplan", "3-årig",
    # "24-timmarsregel".
    rf"\b(\d{{1,3}}-|{'|'.join(NUMBER_WORDS)})(års|årig|månaders|veckors|dagars|dygns|timmars)\w*",
    re.I,
)
NUMBER = re.compile(r"\d|\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)
# A figure written in digits or in words: "5,5", "åtta", and "en" / "ett" before a magnitude
# or unit ("en miljon kronor").
_FIGURE = rf"(?:\d[\d ,.]*\s*|\b(?:{'|'.join(NUMBER_WORDS)}|en|ett)\s+)"
_MAGNITUDE = r"miljon|miljoner|miljard|miljarder|mdr|tusen"
_MONEY_UNITS = r"kr|kronor|öre|euro|€|sek|tkr|mnkr|mdkr|dollar|usd|\$|pund|£"
AMOUNT = re.compile(
    rf"{_FIGURE}({_MONEY_UNITS}|{_MAGNITUDE}|%|procent|procentenheter|mg|g|kg|µg|mikrogram|"
    r"gram|ton|ml|dl|l|liter|st|stycken|glas|koppar|portioner|timmar|minuter|"
    # Power and energy: "1 500 kilowatt", "6,5 GW", "2 TWh".
    r"[kmgt]wh?|(?:kilo|mega|giga|tera)watt\w*|km|kilometer|meter|hektar|kvadratmeter)(?!\w)",
    re.I,
)
# Units that measure a substance or a serving: "Hur många milligram järn ...?" asks what the
# figure measures as well as the unit, and "1 milligram A-vitamin" measures something else.
MEASURE_UNITS = frozenset(
    {
        "milligram", "mikrogram", "gram", "hekto", "hekton", "kilo", "kilogram",
        "liter", "deciliter", "centiliter", "milliliter",
        "mg", "µg", "g", "kg", "dl", "cl", "ml",
        "koppar", "glas", "portioner", "skivor", "tabletter", "matskedar", "teskedar",
    }
)  # fmt: skip
# Money, for questions about cost: "5 300 kronor", "1,2 mnkr", "200 euro", "en miljard".
MONEY = re.compile(rf"{_FIGURE}({_MONEY_UNITS}|miljoner kronor|miljard|miljarder|mdr)(?!\w)", re.I)
COST_QUESTION = re.compile(
    r"\b(kostar|kosta|kostnad\w*|pris\w*|avgift\w*|betala\w*|budget\w*|cost\w*|price|fee)", re.I
)
# A part of a whole in words: "hälften", "en tredjedel", "två femtedelar".
FRACTION = re.compile(
    r"hälften|(?:halv|tredje|fjärde|femte|sjätte|sjunde|åttonde|nionde|tionde|hundrade)"
    r"(?:del|delar|delen|delarna)",
    re.I,
)
# A number given roughly: "ett fyrtiotal företag", "hundratals".
ROUGH_NUMBER = re.compile(rf"(?:{'|'.join(NUMBER_WORDS)})(?:tal|tals)", re.I)
_COUNT = rf"(?:\d+|{'|'.join(NUMBER_WORDS)})"
# A share: "27 %", "tre av tio", "28 av 30", "hälften", "en fjärdedel", "var tionde".
SHARE = re.compile(
    rf"%|\bprocent\b|\b\w+ av (tio|hundra)\b|\b{_COUNT} av {_COUNT}\b|\b(?:{FRACTION.pattern})\b|"
    r"\bvar \w+de\b",
    re.I,
)
# "Hur stor investering ...?" asks for a size, most often a measure ("15 miljoner").
ASKS_SIZE = re.compile(r"\bhur\s+(?:stor|stort|stora)\b", re.I)
# "Hur många av regionerna ...?" asks for a part of a whole ("hälften av landets regioner").
ASKS_PART = re.compile(r"\bhur\s+m[åa]nga\s+av\b", re.I)
SHARE_WORDS = frozenset(["andel", "andelen", "del", "procent"])
# An English question for a share, answered as "Hur stor andel" is ("en tredjedel", "30 procent").
ASKS_SHARE = re.compile(r"\b(share|percentage|proportion)\b", re.I)
# Kinds of public body: in "Region Jämtland Härjedalen" or "Krokoms kommun" they are not the name.
BODY_KINDS = frozenset(
    ["kommun", "kommuns", "region", "regionen", "stad", "stads", "län", "läns", "landsting"]
)
# People and bodies that answer "Vem ...?" in policy text: roles, not only capitalised names.
ROLE = re.compile(
    r"\b\w*(ansvarig|chef|direktör|nämnd\w*|styrelse\w*|grupp\w*|förvaltning\w*|"
    r"fullmäktige|råd(et)?|enhet\w*|avdelning\w*|person\w*|ägare\w*|administratör\w*|"
    r"leverantör\w*|arkitekt\w*|samordnare\w*|handläggare\w*|myndighet\w*|centr\w*|"
    r"kontor\w*|funktion\w*|biträde\w*|väghållar\w*|stab\w*|ledning\w*)\b",
    re.I,
)
# "Puerto Cabezas, Nicaragua", "Murmansk i Ryssland": a place followed by where it lies.
LOCATED = r"(,\s*|\s+i\s+|\s+på\s+)[A-ZÅÄÖ]"
PLACE_PREPOSITION = re.compile(r"\b(i|på|från|till)\s+[A-ZÅÄÖ]")
# A purpose or a reason: "för att", "syftet", "eftersom", "på grund av", "av ... skäl".
PURPOSE = re.compile(
    r"\bsyfte|\bför att\b|\bmål\b|\bmålet\b|\bsyftar\b|\bändamål|\beftersom\b|"
    r"\bdärför att\b|\bpå grund av\b|\bp\.?g\.?a\.?(?!\w)|\bskäl\b|\borsak|\banledning|"
    r"\bberor på\b|\bbecause\b",
    re.I,
)
ENUMERATION = re.compile(r"^\s*\d+[.)]\s+", re.M)
# References count nothing: numbers joined by a hyphen ("Dnr 15918-2018", "202100-2114"; not an
# ISO date's year and month, which would leave its day), a statute or series number ("SFS
# 1977:1166", "AFS 2023:1", "SOU 2020:55"), a section or chapter ("18 §", "§ 5", "3 kap.").
IDENTIFIER = re.compile(
    r"\b\d{4,}-\d+\b(?!-\d)|\b\d+-\d{4,}\b"
    r"|\b(?:1[6-9]|20)\d\d:\d+\b"
    r"|\b\d+\s*(?:[a-z]\s*)?§|§§?\s*\d+|\b\d+\s*(?i:kap)\b"
)
# A definition of X: "X är ...", "X innebär ...", "... definieras som", "kallad X".
# "Med X avses / menas Y" is the standard Swedish definition.
DEFINING_VERBS = (
    r"(är|var|innebär|betyder|avser|avses|menas|definieras|omfattar|handlar om|syftar på)"
)

# A sentence that goes on with the subject of the one before it opens with a pronoun, a
# connective or a definite noun ("Den ...", "Staden har ...", "Projektet pågår ...").
CONTINUING_OPENER = re.compile(
    r"^\s*(?:(?:den|det|de|dessa|detta|denna|där|då|han|hon|samt|även|också)\b|"
    r"[\wåäöÅÄÖ]+(?:en|et|na|arna|erna|orna)\b|\d)",
    re.I,
)
# A sentence that gives the consequence of the one before it ("Därför ...", "Det gör att ...",
# "Då kan lösenbeloppet deponeras ..."): what it builds on, and for "varför" the reason, is in
# that earlier sentence.
BACKWARD_OPENER = re.compile(
    r"^\s*(därför|detta|det gör att|på så sätt|således|följaktligen|därmed|då)\b", re.I
)
# A sentence that points back to its reason inside it ("... omfattas därför av ...", "På grund
# av begränsningarna ..."); "därför att" gives the reason itself.
POINTS_BACK = re.compile(
    r"\bdärför\b(?!\s+att)|^\s*(?:på grund av|p\.?g\.?a\.?)\s+"
    r"(?:detta|det|dessa|denna|[\wåäö]+(?:en|et|na|arna|erna|orna))\b",
    re.I,
)
# "Finns allt ...?", "Gäller det alla ...?": a yes needs a sentence that says all, too.
UNIVERSAL = re.compile(r"\b(allt|alla|samtliga|varje|alltid|all|every|always)\b", re.I)
# "... kallad X", "X definieras som": X is being named or defined.
NAMING_VERBS = r"(kallad|kallas|benämns|definieras som)"
# An apposition that says what a thing is: "extremprogrammering, en högiterativ ... process",
# "XP (extreme programming) – en metod för ...".
APPOSITION = r"\s*(?:\([^)]*\))?\s*(?:,|\s[-–—])\s+(?:en|ett|a|an)\s+\w"
# "Hur många ...?" is never a yes/no question, whatever verb-like word opens it.
HOW_MANY = re.compile(r"\bhur m[åa]nga\b", re.I)

# -- polarity --------------------------------------------------------------------------------
# Wording that says something has ended, for a leading "Nej" on yes/no questions.
ENDED = re.compile(
    r"\b(avslutat|avslutats|avslutade|upphört|upphörde|avvecklades|avvecklats|lämnat)\b", re.I
)
# A concessive clause does not negate its sentence: "Gruppen kan överföras även om vissa elever
# inte finns" says that it can.
CONCESSIVE = re.compile(
    r"\b(även om|trots att|oavsett om|även när|even if|although)\b[^,.;:]*", re.I
)
# Nor does a trailing exception, set off by its comma: "... ska vara uppdelad efter kön, om det
# inte finns särskilda skäl" says that it shall. A leading condition often has no comma to end
# it ("Om X behöver du inte ..."), so only a clause the comma opens is one.
EXCEPTION = re.compile(r",\s*(om|såvida|ifall|unless)\b[^,.;:]*", re.I)
# A leading condition closed by its comma does not negate its sentence either: "Om arbetsgivaren
# inte har kompetens ..., måste företagshälsovården anlitas" says that it must. The comma closes
# the condition only when the main clause's verb comes right after it (Swedish puts it second);
# "Om det är ett uterum behöver du inte X, men ..." has no comma after its condition, so its
# "inte" stays.
_NOT_VERBS = r"(?:eller|där|när|för|efter|under|över|sedan|enligt|per|fler|andra|vidare|hos|dels)"
_MAIN_VERB = (
    rf"(?!{_NOT_VERBS}\b)(?:måste|ska|skall|kan|får|bör|vill|så|\w+(?:ar|er|ir|är|år|ör)|\w{{2,}}s)"
)
LEADING_CONDITION = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n))\s*(om|ifall|if)\b[^,.;:\n]*,(?=\s*{_MAIN_VERB}\b)", re.I
)
# A negation right after "som" is the relative clause's: "För den som inte tjänstgör hela tiden
# kan lånen skrivas av delvis" says that they can.
RELATIVE_NEGATION = re.compile(r"\b(som)\s+(?:inte|ej|aldrig)\b", re.I)
# A sentence that restricts ("får enbart innehålla ett enda ärende") answers "Får den innehålla
# flera?" with something other than yes.
RESTRICTIVE = re.compile(r"\b(enbart|endast|bara|uteslutande|only)\b", re.I)
# Opposites, as word beginnings: a sentence that says one where the question says the other
# ("Är det lagligt?" / "är förbjudet") answers with something other than yes.
OPPOSITES = [
    ("tillåt", "förbjud"),
    ("laglig", "olaglig"),
    ("laglig", "förbjud"),
    ("obligatorisk", "frivillig"),
    ("gratis", "avgiftsbelag"),
    ("kostnadsfri", "avgiftsbelag"),
]
# A sentence that sets itself against another ("Tidsstämplarna finns dock med ...") answers
# relative to that one, not the question.
CONTRAST = re.compile(r"\b(dock|däremot|emellertid|i stället|istället|however|instead)\b", re.I)
# Nor does a conditional assert anything: "Om du tackar nej till kakor kan tjänster påverkas".
CONDITIONAL = re.compile(r"(?:^|[,;:]\s*)(om|ifall|if)\b", re.I)
# "utan" and the two words after it: "inloggning utan lösenord" denies a password.
WITHOUT = re.compile(r"\b(?:utan|without)\s+(\w+)(?:\s+(\w+))?", re.I)
# "inte bara" / "inte minst" ("not only", "not least") add to what is said: no negation.
NEGATION = re.compile(
    r"\b(inte|ej|not)\b(?!\s+(bara|enbart|endast|blott|minst|only|just)\b)"
    r"|\b(ingen|inget|inga|aldrig|vilande|no|never)\b",
    re.I,
)

# Words that count the same thing: "Hur många människor bor där?" is answered by "710 000
# invånare". Each group is one counted thing, in any inflection.
COUNT_SYNONYMS = [
    frozenset(["invånare", "människor", "personer", "bor", "bosatta", "befolkning", "individer"]),
    frozenset(["anställda", "medarbetare", "personal", "arbetstagare"]),
]
# A definite noun ("kontoret", "området", "föreningarna") in a follow-up points back to what
# the conversation is about, even when the documents name it otherwise ("Office").
DEFINITE_NOUN = re.compile(r"\w{3,}(et|en|arna|erna|orna|na)$")

# A question for several things ("Vilka ...", "Nämn ..."), not for one ("Vilken stad?").
ASKS_SEVERAL = re.compile(
    r"\bvilka\b|\bnämn\b|\blista\b|\bräkna upp\b|\bwhich\b|\bwhat are\b|\blist\b", re.I
)
# Countries and the adjectives the documents use for them: "medlemmar från Sverige" is
# answered by "26 svenska kommuner".
DEMONYMS = {
    "sverige": "svensk",
    "norge": "norsk",
    "finland": "finsk",
    "danmark": "dansk",
    "island": "isländsk",
    "ryssland": "rysk",
    "tyskland": "tysk",
    "frankrike": "fransk",
    "italien": "italiensk",
    "spanien": "spansk",
    "polen": "polsk",
    "kina": "kinesisk",
    "japan": "japansk",
    "europa": "europeisk",
    "usa": "amerikansk",
}
# Articles, and the prepositions and relative words after which a "Vad är X ...?" question
# says where X is rather than what: "en bibliografi i Libris söktjänst" asks for "bibliografi".
# Not "för": "Vad innebär lagen för verksamhetssystemet?" asks what it means for the system.
# An indefinite article brings in something new ("Vad är en zoonos?"), so such a question is
# no follow-up by its shortness alone.
INDEFINITE_ARTICLES = frozenset(["en", "ett", "a", "an"])
ARTICLES = INDEFINITE_ARTICLES | {"the"}
PLACING_WORDS = frozenset(
    ["i", "på", "inom", "enligt", "hos", "vid", "från", "som", "när", "in", "at"]
)
# Hard-wrapped text: a line that ends with no sentence-ending mark goes on in the next line
# when that one starts in lower case, or when it ends with a word that cannot end a sentence.
SENTENCE_END = (".", "!", "?", ":", ";")
NO_SENTENCE_END = frozenset(
    # Articles, conjunctions and verbs that want a complement; not prepositions, which end
    # clauses as particles ("som objektet är beskrivet med").
    ["en", "ett", "och", "eller", "men", "att", "som", "samt", "heter", "kallas", "the", "and"]
)
# A version number ("1.3.2", "v1.3"): it names one release as a name names one thing.
VERSION = re.compile(r"(?<![\w.])[vV]?\d+(?:\.\d+)+(?![\w.]*\d)")
# A line of a list or a table: "- X", "1. X", "| X |". A Markdown table is structured like a
# list (one unit with the sentence that introduces it).
LIST_LINE = re.compile(r"^\s*(?:(?:[-*•]|\d+[.)])\s+|\|)")

# -- contact details -------------------------------------------------------------------------
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Swedish numbers: 0 or +46/0046 (optionally "(0)"), an area code of 1–3 digits, then the
# subscriber number in groups of 2–3 digits split by spaces or hyphens (070-123 45 67,
# +46 70 123 45 67, 08-123 456 78, 0920-45 30 00, 0701234567).
PHONE_NUMBER = re.compile(
    r"(?<![\w+])(?:(?:\+46|0046)[ -]?(?:\(0\)[ -]?)?[1-9]\d{0,2}|\(?0[1-9]\d{0,2}\)?)"
    r"(?:[ /-]|\s-\s)?\d{2,4}(?:[ -]?\d{2,3}){0,3}(?!\d)"
)
PHONE_DIGITS = range(8, 14)  # digits in a Swedish phone number
WEB_ADDRESS = re.compile(r"https?://\S+|\bwww\.\S+", re.I)
# What a question for contact details asks: a phone number, an e-mail address, or either.
ASKS_PHONE = re.compile(r"\b(telefon\w*|ring(a|er)?|phone\w*|call)\b", re.I)
ASKS_EMAIL = re.compile(r"\b(e-?post\w*|e-?mail\w*|mejl\w*|mail\w*)\b", re.I)

# -- questions -------------------------------------------------------------------------------
# Question kinds and the cues that signal them (Swedish first, English second).
KIND_CUES: list[tuple[str, re.Pattern]] = [
    (
        "amount",
        re.compile(
            r"\bhur mycket\b|\bvad kostar\b|\bbelopp\w*\b|\bhow much\b|"
            # English names the price as a noun ("What is the monthly fee ...?") or ends on the
            # verb ("What does a permit cost?"), where Swedish opens with "Vad kostar".
            r"\bwhat is the (\w+ )?(fee|price|cost|charge)s?\b|\bwhat does\b.{1,80}\bcost\b",
            re.I,
        ),
    ),
    (
        "count",
        re.compile(
            r"\bhur m[åa]nga\b|\bhur stora?\b|\bhur stort\b|\bantal(et)?\b|\bhow many\b|"
            r"\bnumber of\b|"
            # As "hur stor": "How large a share ...?", "What share of ...?", "From what age ...?".
            r"\bhow (large|big|high|old|tall|far)\b|\bwhat (share|percentage|proportion)\b|"
            r"\b(up to|from|above|below|over|under|at) what (age|level)\b",
            re.I,
        ),
    ),
    (
        "duration",
        re.compile(
            r"\bhur länge\b|\bhow long\b|^\s*(och\s+)?till när\b|\bhur ofta\b|\bhow often\b|"
            # "Hur lång tid tar det ...?", "Hur lång handläggningstid ...?", "Hur lång är
            # uppsägningstiden?": a length of time; "Hur långa texter ...?" is no time.
            r"\bhur lång\s+((är|blir|var)\s+)?\w*tid(en|er|erna|s)?\b|"
            r"\bvilken (tids)?period\b|\bunder vilken tid\b|\buntil when\b|\bhow soon\b",
            re.I,
        ),
    ),
    (
        "what",
        # "När krävs/måste/behöver ...?" asks in which situation, not at what time.
        re.compile(
            r"^\s*(och\s+|men\s+)?n[äa]r\s+(krävs|behövs|måste|behöver|ska|skall|får|kan|bör|"
            r"gäller|räknas|anses)\b",
            re.I,
        ),
    ),
    (
        "year",
        # "när" opens the question; inside it ("när det gäller") it is not about time.
        re.compile(
            r"^\s*(och\s+|men\s+)?n[äa]r\b|\bvilken tid\b|\b(sedan|sen) n[äa]r\b|\bårtal\b|"
            r"^\s*when\b|\bsince when\b|\buntil what date\b|\bby when\b|"
            r"\bwhat is the deadline\b|" + ASKS_TIME_NOUN,
            re.I,
        ),
    ),
    ("why", re.compile(r"\bvarf[öo]r\b|syfte|\bwhy\b|\bpurpose\b", re.I)),
    (
        "where",
        re.compile(
            r"^\s*var\s+(ligger|finns|sitter|är|har|går)\b|\bvar någonstans\b|\bi vilket land\b|"
            # "Var hittar jag ...?", "Var kan man ...?": where; "Var Luleå tidigt ...?": was.
            r"^\s*var\s+[a-zåäö]\w*\s+(jag|man|du|vi|ni)\b|"
            # "Vart vänder jag mig?": whither asks where to, as "var" asks where.
            r"^\s*(och\s+|men\s+)?vart\b|,\s*vart\b|"
            r"\bwhere\b",
            re.I,
        ),
    ),
    ("who", re.compile(r"\bvem\b|\bvems\b|\bwho\b", re.I)),
    (
        "contact",
        re.compile(
            r"\b(e-?post\w*|e-?mail\w*|mejl\w*|mailadress\w*|telefon\w*|ring(a|er)\b|"
            r"kontakta\w*|kontaktuppgift\w*|phone\w*|contact)",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"\bvad heter\b|\bvad hette\b|\bnamnet på\b|\bvilket namn\b|"
            r"\bwhat is the name\b|\bcalled\b",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"\bvilka\b|\bvilken\b|\bvilket\b|\bnämn\b|\blista\b|\bräkna upp\b|"
            r"\bwhich\b|\blist\b|\bwhat are\b",
            re.I,
        ),
    ),
]
# What may stand before a question's own opening phrase ("Och när ...?", "Men vem ...?").
OPENING_CONJUNCTIONS = frozenset(["och", "men", "så"])
OPENING_WORDS = re.compile(
    rf"\s*(?:(?:{'|'.join(sorted(OPENING_CONJUNCTIONS | {'and', 'but'}))})\s+)?", re.I
)
# "Vad är X?", "vad e X", "Vad innebär X?", "Vad menas med X?": asks for X's definition.
DEFINITION_QUESTION = re.compile(
    r"^\s*(?:vad|what)\s+(?:är|e|innebär|betyder|menas med|avses med|is|are|does)\s+(.+?)\??\s*$"
    r"|^\s*vad\s+står\s+(?:förkortningen\s+)?(.+?)\s+för\b(?:\s+\S.*)?\??\s*$",
    re.I,
)

# A question that opens with a finite verb is a yes/no question in Swedish and English.
YESNO_START = re.compile(
    r"^\s*(är|har|finns|fanns|samarbetar|deltar|ingår|kan|ska|skall|får|måste|bör|blir|blev|"
    r"hade|var|tänker|planerar|arbetar|jobbar|stödjer|stöder|äger|driver|betalar|prioriterar|"
    r"prioriteras|avser|gäller|innebär|samverkar|satsar|tillhör|fortsätter|leder|"
    r"is|are|does|do|did|has|have|was|were|can|will|should)\b",
    re.I,
)

# Pronouns and openers that point back into the conversation.
ANAPHORA = frozenset(
    [
        "den",
        "dess",
        "dem",
        "deras",
        "dessa",
        "denna",
        "detta",
        "där",
        "dit",
        "de",
        "han",
        "hon",
        "hans",
        "hennes",
        "hen",
        "hens",
        "honom",
        "henne",
        "it",
        "its",
        "they",
        "them",
        "their",
        "there",
        "that",
        "those",
    ]
)
# "den nya lagen", "de statliga välfärdssystemen": an article before an adjective and a
# definite noun (Swedish double definiteness) opens a noun phrase; it points back only when
# the conversation already spoke of the noun. A modal's infinitive ("När ska den vara klar?")
# is mostly followed by no definite noun, so the pronoun stays one; "När ska den slutredovisa
# arbetet?" is read as an article phrase all the same (no part-of-speech tagger tells them apart).
ARTICLE_PHRASE = re.compile(
    r"\b(?:den|det|de)\s+(?:\w+[ae]\s+){1,2}(?P<noun>\w{2,}?(?:en|et|na|n))\b", re.I
)
# "den som fuskar", "de unga som ...": a relative clause says who is meant, not an earlier turn.
RELATIVE_HEAD = re.compile(r"\b(?:den|de)\s+(?:\w+[ae]\s+)?som\b", re.I)
# "Is there ...", "there are ...": existential "there" is no place, and "that" before an article
# or a pronoun ("the bill that the government ...", "so that") joins clauses, and one right after
# a noun phrase ("a household that already exists") opens a relative clause.
ENGLISH_NOT_POINTING = re.compile(
    r"\b(?:is|are|was|were|will\s+be|be|been)\s+there\b|\bthere\s+(?:is|are|was|were|will|be|has|have)\b"
    r"|\bso\s+that\b|\bthat\s+(?=(?:the|a|an|it|they|you|we|he|she|there|i|this|these|his|her"
    r"|their|our|my|your|its)\b)"
    r"|\b(?:a|an|the|any|each|every|some|no|all|one)\s+(?:[a-z-]+\s+){1,3}?that\b",
    re.I,
)
# "Can I park there?": the English pronoun, a lone capital I before a lower-case word, is no name.
# "Coreper I-frågor" keeps its I.
ENGLISH_I = re.compile(r"I\s+[a-zåäö]")
DEMONSTRATIVE = re.compile(
    r"\b(det|den|de|detta|denna|dessa)\s+\w{2,}(et|en|na|arna|erna|orna)\b", re.I
)
# "Måste man betala för det?", "Hur stor del av det får betalas ut?": "det" after a preposition
# stands for something said before. An adjective or a noun after it makes an article or a
# demonstrative phrase instead ("för det civila försvaret"), and "om det" opens a condition.
OBJECT_DET = re.compile(
    r"\b(?:för|av|med|på|till|från|efter|mot|över|under|utan|inför)\s+det\b"
    r"(?!\s+(?:här|där|som|att)\b)(?!\s+[\w-]+(?:et|en|na|a|e)\b)",
    re.I,
)
ELLIPSIS_START = re.compile(
    r"^\s*(och|men|än|samt|också|vad med|hur är det med|and|what about)\b", re.I
)
# "Vilka av dem", "which of them": a follow-up that narrows the previous answer.
NARROWING = re.compile(
    r"\b(vilka|vilken|vilket|hur många|which|how many)\s+av\s+(dem|dessa|de)\b", re.I
)
# "Vilka av de djursjukdomar ...", "Vilket av de fyra valen ...": a part of a set the question
# names itself, not of an earlier answer (that is NARROWING's "av dem").
PARTITIVE = re.compile(r"\b(?:vilka|vilken|vilket)\s+av\s+(?!dem\b|dessa\b)\w", re.I)
# The two words that name the set a partitive picks from ("Vilka av de *handlingar som* ...").
PARTITIVE_SET = re.compile(
    r"\b(?:vilka|vilken|vilket)\s+av\s+(?:(?:de|dessa|den|det)\s+)?(\w+(?:\s+\w+)?)", re.I
)

# The word a question is about comes right after its question phrase: "Vem är *ordförande*",
# "Vad kostar", "Hur stor *budget*", "Vilket *telefonnummer*", "Hur många *medlemmar*".
TARGET = re.compile(
    r"^\s*(?:(?:och|men)\s+)?(?:vem|vad|vilken|vilket|vilka|hur\s+(?:många|mycket|stor|stort|stora))"
    r"(?:\s+(?:är|var|blir|heter|av|de|den|det|en|ett|sorts|slags|typ|form|av))*"
    r"\s+([^\W\d_][\w-]*)(?![\w:])",
    re.I,
)
COUNTED = re.compile(
    r"\bhur\s+(?:många|stor|stort|stora)\s+(?:av\s+)?([\w:-]+)(?:\s+([\w-]+))?", re.I
)
# "How many residents ...?": what an English question counts, in the Swedish words the documents
# count it with. A counted word not here leaves the question wanting any figure.
COUNTED_ENGLISH = re.compile(r"\bhow\s+many\s+(?:of\s+)?([a-z-]+)(?:\s+([a-z-]+))?", re.I)
ENGLISH_COUNTED_WORDS = {
    "people": ("personer",), "persons": ("personer",), "residents": ("invånare",),
    "inhabitants": ("invånare",), "citizens": ("invånare",),
    "employees": ("anställda",), "staff": ("anställda",), "workers": ("anställda",),
    "members": ("medlemmar",), "children": ("barn",), "pupils": ("elever",),
    "students": ("elever", "studenter"), "patients": ("patienter",),
    "hours": ("timmar",), "minutes": ("minuter",), "days": ("dagar",), "weeks": ("veckor",),
    "months": ("månader",), "years": ("år",), "times": ("gånger",),
    "kilos": ("kilo",), "kilograms": ("kilogram",), "grams": ("gram",),
    "litres": ("liter",), "liters": ("liter",), "cups": ("koppar",), "portions": ("portioner",),
    "municipalities": ("kommuner",), "countries": ("länder",), "regions": ("regioner",),
    "counties": ("län",), "schools": ("skolor",), "places": ("platser",), "seats": ("platser",),
    "credits": ("högskolepoäng", "poäng"), "kronor": ("kronor",),
}  # fmt: skip
# A passive or deponent verb right after "hur många" ("Hur många drabbas ...?", "... anmäldes"):
# the question counts people or cases, and names no counted thing.
PASSIVE_VERB = re.compile(r"\w{3,}(as|des|tes|ats)", re.I)
# Nouns that frame what is asked rather than name it ("Vilka sorters larm", "Vilka steg").
FRAME_NOUNS = frozenset(
    [
        "sort",
        "sorts",
        "sorters",
        "slags",
        "typ",
        "typer",
        "form",
        "former",
        "del",
        "delar",
        "exempel",
        "steg",
        "sätt",
        "saker",
        "villkor",
        "datum",
        "tidpunkt",
        "årtal",
        "kind",
        "kinds",
        "type",
        "types",
    ]
)
# The noun of "Vilket år ...?", "Vilket datum ...?": it frames the question (a year is wanted)
# rather than naming its topic, so a unit is not about the topic for containing "år".
YEAR_FRAME = re.compile(
    r"\b(?:vilket|vilken|vilka)\s+(år|datum|månad|tid|tidpunkt|årtal)\b|^\s*(?:what)\s+(year|date)\b",
    re.I,
)
# Words the documents write as a symbol: "paragraf" is there when "§" is.
SYMBOL_WORDS = {"paragraf": "§", "paragrafer": "§", "procent": "%", "kronor": "kr", "euro": "€"}

# The Swedish question words a question opens with.
SWEDISH_INTERROGATIVES = frozenset(
    ["vad", "vem", "vems", "vilken", "vilket", "vilka", "när", "var", "vart", "varför", "hur"]
)
# Interrogatives: a question that opens with anything else (a verb) is a yes/no question.
INTERROGATIVES = SWEDISH_INTERROGATIVES | frozenset(
    [
        "varifrån",
        "what",
        "who",
        "whom",
        "whose",
        "which",
        "when",
        "where",
        "why",
        "how",
    ]
)
# A question word right after a comma: "According to the minister, what ...?" asks what.
FRONTED_INTERROGATIVE = re.compile(
    r",\s*(" + "|".join(sorted(INTERROGATIVES, key=len, reverse=True)) + r")\b", re.I
)
# The end of a whole sentence before a question: a word of three letters or more, a full stop
# (or ! ?), then a capital ("t.ex. EU" is no sentence end).
PREAMBLE_END = re.compile(r"(?<=[^\W\d_]{3}[.!?])\s+(?=[A-ZÅÄÖ])")
# Openers that are not verbs: conjunctions and imperatives ("Berätta om ...").
NON_VERB_OPENERS = frozenset(
    [
        "sedan",
        "sen",
        "till",
        "från",
        "hos",
        "efter",
        "före",
        "av",
        "vid",
        "utan",
        "mellan",
        "since",
        "until",
        "from",
        "och",
        "men",
        "samt",
        "eller",
        "i",
        "på",
        "om",
        "för",
        "med",
        "enligt",
        "inom",
        "under",
        "berätta",
        "beskriv",
        "förklara",
        "nämn",
        "lista",
        "ge",
        "räkna",
        "jag",
        "vi",
        "du",
        "man",
        "det",
        "den",
        "de",
        "detta",
        "dessa",
        "tell",
        "list",
        "describe",
        "explain",
        "give",
        "please",
        "the",
        "a",
        "an",
        "in",
        "on",
        "for",
        "and",
    ]
)
VERB_LIKE = re.compile(r"(ar|er|as|es|ade|de|te|at|it|tt)$")

# Verb particles: "följa upp" is "uppföljning" as a noun, "ta fram" is "framtagning".
PARTICLES = tuple(
    ["upp", "ut", "in", "av", "till", "över", "fram", "med", "om", "på", "bort", "ner", "ihop"]
)

# -- names -----------------------------------------------------------------------------------
# Small words inside multi-word names ("Union of the Baltic Cities", "Santa Lucia de Tirajana").
NAME_JOINERS = r"(?:of|the|de|for|and|och|för)"
# Small words inside a name that an acronym gives no letter ("Myndigheten för samhällsskydd och
# beredskap": MSB).
NAME_LINKS = frozenset(["för", "och", "i", "av", "om", "med", "till", "på"])

# Heads of Swedish institution names, which stand for a letter of their acronym inside a
# compound: VGR is Västra Götalands|regionen, SKR Sveriges Kommuner och Regioner.
INSTITUTION_HEADS = (
    "regionen",
    "region",
    "kommun",
    "kommunen",
    "verket",
    "verk",
    "staden",
    "stad",
    "landstinget",
    "myndigheten",
    "universitet",
    "högskolan",
    "kassan",
    "styrelsen",
    "rådet",
)

# An acronym defined by its long form: "Union of the Baltic Cities (UBC)".
ACRONYM_DEF = re.compile(
    r"((?:[A-ZÅÄÖ][\w-]*(?:\s+(?:of the|of|for|de|och))?\s+){0,5}[A-ZÅÄÖ][\w-]*)"
    r"\s*\(([A-ZÅÄÖ]{2,6})\)"
)
# The other order: "AEBR (Association of European Border Regions)".
ACRONYM_FIRST = re.compile(
    r"\b([A-ZÅÄÖ]{2,6})\s*\(((?:[A-ZÅÄÖ][\w-]*(?:\s+(?:of the|of|for|de|och))?\s+){0,5}"
    r"[A-ZÅÄÖ][\w-]*)\)"
)

# -- the register of memberships (bot/register.py) ---------------------------------------------
# Words that say a section or a list is about the body's ties to others; matched as word
# beginnings, so inflections and compounds ("vänortssamarbete", "medlemskapet") count.
REGISTER_CUE = re.compile(
    r"\b(?:organisation|nätverk|network|samarbet|samverkan|medlem|vänort|vänstad|partnerskap"
    r"|avtal|avsiktsförklaring|förening|forum|union|allians|sekretariat|råd(?:et)?\b"
    r"|underteckna|signator)",
    re.IGNORECASE,
)
# A heading that is a clause or a topic about a name, not the name of a tie: "Vi driver
# Handlingar.se", "Syftet för Handlingar.se", "Målet med X".
HEADING_TOPIC = re.compile(
    r"^(?:(?:vi|jag|du|ni|man|de)\s+\w+|(?:syftet|målet|uppdraget|uppgiften|historiken|"
    r"bakgrunden)\s+(?:för|med|till|i|av|om)\b)",
    re.IGNORECASE,
)
# A heading that leads up to a name ("Mer om SPR", "Om Bottenviksbågen"): the words before it.
REGISTER_LEAD = re.compile(r"^(?:mer\s+)?(?:om|kring|fakta\s+om)\s+(?=[A-ZÅÄÖ0-9])", re.IGNORECASE)
# The kind of tie a cue word names, first match wins: twin towns before networks before
# agreements before organisations; anything else is a partnership.
REGISTER_TYPES = (
    ("twin town", re.compile(r"\b(?:vänort|vänstad|twin town|sister cit)", re.IGNORECASE)),
    ("network", re.compile(r"(?:nätverk|network)", re.IGNORECASE)),
    ("agreement", re.compile(r"(?:avtal|avsiktsförklaring|declaration|överenskommelse)", re.I)),
    (
        "organisation",
        re.compile(r"(?:förening|organisation|forum|union|råd\b|association|office)", re.I),
    ),
)

# -- the register's cells (bot/register_cells.py) ---------------------------------------------
# One question per cell, asked through the chat's pipeline; {name} is the row's name, {owner}
# the body whose tie it is. Twin towns are asked about as twin towns, the rest as memberships.
REGISTER_QUESTIONS: dict[str, dict[str, str]] = {
    "twin town": {
        "since": "Sedan när är {name} vänort?",
        "status": "Är vänorten {name} aktiv eller vilande?",
    },
    "partnership": {
        "since": "Sedan när samarbetar {owner} med {name}?",
        "status": "Pågår samarbetet med {name}?",
        "purpose": "Vad är syftet med samarbetet med {name}?",
        "role": "Vilken roll har {owner} i samarbetet med {name}?",
    },
    "agreement": {
        "since": "När undertecknade {owner} {name}?",
        "status": "Gäller {name} för {owner}?",
        "purpose": "Vad är syftet med {name}?",
        "members": "Vilka har undertecknat {name}?",
        "role": "Vilken roll har {owner} i {name}?",
    },
    "other": {
        "since": "Sedan när är {owner} medlem i {name}?",
        "status": "Är {owner} medlem i {name}?",
        "purpose": "Vad är syftet med {name}?",
        "members": "Vilka är medlemmar i {name}?",
        "role": "Vilken roll har {owner} i {name}?",
    },
}
# The year a tie began: "sedan 2015", "från och med 2003", or a year beside a verb of joining
# or signing. A year beside "grundades" is the organisation's own, never the owner's.
SINCE_YEAR = re.compile(
    r"\b(?:sedan|från och med|fr\.\s?o\.\s?m\.?|alltsedan)\s+(?:år\s+)?(?:[a-zåäö]+\s+)?"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
JOIN_VERB = re.compile(
    r"\b(?:undertecknade|undertecknat|anslöt|anslutit|gick med|blev medlem|tecknade|tecknat"
    r"|skrev under|inträdde|signed|joined)\b",
    re.IGNORECASE,
)
FOUNDING_VERB = re.compile(
    r"\b(?:grundades|bildades|grundad|bildad|etablerades|inrättades|har funnits|founded)\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
# A span of years: "2021–2027", "2024-2026", "2025/2026".
YEAR_SPAN = re.compile(r"\b((?:19|20)\d\d)\s*[–—/-]\s*((?:19|20)\d\d)\b")
# "idag möttes parterna för att underteckna ett avtal": a news page tells of a signing or a
# joining on its own date.
TODAY = re.compile(r"\b(?:i\s?dag|today)\b", re.IGNORECASE)
SIGNING = re.compile(
    r"\b(?:underteckn\w*|skr[ei]v\w*(?:\s+\w+){0,3}\s+under|anslut\w*|anslöt|teckna\w*|blev\s+medlem"
    r"|blir\s+medlem|gick\s+med|går\s+med|sign(?:s|ed|ing)?|join(?:s|ed)?)\b",
    re.IGNORECASE,
)
# What a sentence says about a tie's state, checked in this order: ended, dormant, active.
STATUS_CUES = (
    ("ended", re.compile(r"\b(?:avslut|upphör|upphört|lämnat|utträ|ended)", re.IGNORECASE)),
    ("dormant", re.compile(r"\bvilande\b|\bdormant\b", re.IGNORECASE)),
    (
        "active",
        re.compile(
            # "är sedan 2015 medlem i", and with the subject after the verb: "Sedan 2015 är
            # Luleå kommun en undertecknare"; never "är inte längre medlem".
            r"\b(?:är\s+(?:sedan\s+\S+\s+)?(?:en\s+)?(?:medlem|med|undertecknare|signator)\b"
            r"|är\s+(?:(?!inte\b|ej\b|längre\b)\S+\s+){1,3}(?:en\s+)?"
            r"(?:medlem|undertecknare|signator)\b"
            # "ett aktivt utbytessamarbete", not the adverb of "har agerat aktivt".
            r"|medlemskapet\b|deltar\b|pågå|(?:en|ett|är)\s+aktivt?\b"
            # "Samarbetet med Bodö sker via ...", not "Arbetet med implementeringen sker under".
            r"|samarbetar\b|samverkar\b|ingår\s+i\b|kvarstå"
            r"|(?:samarbet|samverk|utbyt)\w*\b[^.]{0,80}?\bsker\b)",
            re.IGNORECASE,
        ),
    ),
)
# Future or wished-for states say nothing about today: "ska teckna", "har som ambition".
STATUS_HEDGE = re.compile(
    r"\b(?:ambition|planerar|kommer\s+(?:inte\s+)?att|ska\s+(?:teckna|ingå|bli))\b", re.I
)
# A sentence about a project says how the project stands, not the tie it runs under
# ("Projektet pågår mellan 1 oktober 2018 och 30 juni 2019").
STATUS_OTHER_SUBJECT = re.compile(r"^\W*projekt(?:et|en)?\b", re.IGNORECASE)
# A tie that itself takes part in something ("SPR ... deltar på arktiska konferenser") says what
# the organisation does, not how the owner's tie to it stands.
STATUS_ACTS = re.compile(r"\b(?:deltar|samarbetar|samverkar)\b", re.IGNORECASE)
# Who said it, in a press release: "..., säger Ann-Marie Johansson (S), regionstyrelsens
# ordförande". The title after the name is the speaker's, not the owner's role in the tie.
ATTRIBUTION = re.compile(
    r"[,–-]?\s*\b(?:säger|sa|berättar|menar|förklarar|konstaterar)\s+[A-ZÅÄÖ].*$", re.DOTALL
)
# A wish is not yet a tie: "Vi vill överlag öka samarbetet med Norge", "har länge önskat ett
# samarbete med".
# A wish to go on with one ("Vi vill fortsätta samarbetet med Tromsö") says that it exists.
TIE_WISH = re.compile(
    r"\b(?:vill|önskar|önskat|önskade|hoppas|skulle\s+vilja)\b"
    r"(?:\s+(?!fortsätt|behåll|vidareutveckl)\S+){0,3}\s*$",
    re.IGNORECASE,
)
# Kind words a sentence may open with for the tie it is about ("Rådet består av 21 ledamöter").
# Its members too ("Medlemmarna har ...") are the tie's own.
TIE_NOUNS = (
    "råd",
    "nätverk",
    "förening",
    "organisation",
    "forum",
    "avtal",
    "samarbet",
    "union",
    "medlem",
    "deltagar",
    "parter",
)
# A sentence that says what a tie is for, who belongs to it, or the owner's part in it.
# Purpose cues come strongest first: a sentence with "syftar" beats one that only "främjar".
PURPOSE_CUES = (
    # "Deras uppdrag är", "uppdraget att", not "politiker med internationella uppdrag".
    re.compile(
        r"\b(?:syft|ändamål|uppdrag(?:et)?\s+(?:är|att)\b|målsättning|mål är|målet med)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:arbetar för|verkar för|ska verka|främja|ger\s+(?:\S+\s+){0,2}möjlighet"
        # "Avtalet lyder: ..." quotes what the parties commit to.
        r"|möjlighet till|handlar om|innebär att|lyder\s*:)",
        re.IGNORECASE,
    ),
    # Weakest: what it does something for ("deltar på mässor för att marknadsföra Luleå"), not
    # a decision ("har bestämt sig för att").
    re.compile(r"(?<!\bsig\s)\bför\s+att\b", re.IGNORECASE),
)
# After a tie's name, a definition by what it is for: "EuropaForum är en mötesplats för
# politiker ...", "X är ett nätverk där ...".
DEFINES_FOR = re.compile(r"\s+är\s+(?:en|ett)\s+(?:[\w-]+\s+){1,4}?(?:för|där)\b", re.I)
MEMBERS_CUE = re.compile(
    r"\b(?:medlemm(?:ar|arna)|medlemskommun|medlemsstäder|består av|parter(?:na)?\b|deltagare"
    r"|undertecknats av|har undertecknat|bildar\b)",
    re.IGNORECASE,
)
# Partners named as a cooperation "between" them: "vänortssamarbetet mellan Antnäs, Novéant,
# Ersnäs och Alvik". Two names are the owner and the other party, so it takes three.
MEMBERS_BETWEEN = re.compile(r"(?:samarbet|samverkan)\w*\s+mellan\b", re.I)
ROLE_CUE = re.compile(
    r"\b(?:roll|kansli|sekretariat|ordförande|värd|samordna|koordinerande|signatory|grundare"
    r"|ansvar|leder|representerar)",
    re.IGNORECASE,
)
# A role the owner holds now ("har en nyckelroll", "Just nu innehar svenska Sametinget
# ordförandeskapet") says that the tie is active; one it held ("var ordförande 2005", "har
# tidigare haft kansliet") says nothing of now.
ROLE_NOW = re.compile(
    r"\b(?:är|har|finns|innehar|leder|ansvarar|sköter|samordnar|representerar)\b", re.IGNORECASE
)
ROLE_PAST = re.compile(
    r"\b(?:var|hade|innehade|ledde|tidigare|fram\s+till|har\s+varit|har\s+haft)\b", re.IGNORECASE
)
# Who a tie belongs to: the name before a verb of membership ("Luleå kommun är medlem i",
# "Sametinget deltar i", "Luleå har sex vänorter").
OWNER_VERB = re.compile(
    r"\s+(?:är\s+(?:sedan\s+\S+\s+)?(?:medlem|med)\s+(?:i|av)\b|deltar\s+i\b|ingår\s+i\b"
    r"|har\s+(?:\S+\s+){0,2}(?:vänorter|vänort|avtal|samarbete|medlemskap)\b"
    r"|samarbetar\s+med\b|har\s+undertecknat\b|undertecknade\b|anslöt\s+sig\s+till\b)",
    re.IGNORECASE,
)
# Words that make a place a body ("Luleå" -> "Luleå kommun").
OWNER_BODY = re.compile(r"\s+(kommun|stad|region|regionen|landsting|län)\b")
# A company the body owns speaks for it too: "det kommunägda näringslivsutvecklingsbolaget Luleå
# Business Region (LBR)", "kommunens bolag X". Its memberships are in the body's register.
OWN_COMPANY = re.compile(
    r"\b(?:kommunägda|kommunalägda|helägda|kommunens|kommuns|stadens|regionens)\s+"
    r"(?:\w+\s+)?\w*bolag(?:et)?\s+(?P<name>[A-ZÅÄÖ][\w-]*(?:\s+[A-ZÅÄÖ][\w-]*){0,4})"
    r"(?:\s*\((?P<acronym>[A-ZÅÄÖ]{2,6})\))?"
)
# A tie stated in running text: the words before its name ("är medlem i", "samarbetar med",
# "vänort till"), with an optional word for what kind of thing it is ("nätverket SEA20").
# The group says which kind of tie the words make.
TIE_IN_TEXT = re.compile(
    r"\b(?:(?P<member>(?:är|blev|var)\s+(?:sedan\s+\S+\s+)?(?:medlem|med)\s+(?:i|av)"
    r"|medlemskap(?:et)?\s+i|deltar\s+i|ingår\s+i|anslöt\s+sig\s+till)"
    r"|(?P<partner>samarbete(?:t)?\s+med|samarbetar\s+med|samverkan\s+med|samverkar\s+med)"
    r"|(?P<agreement>avtal(?:et)?\s+med|avsiktsförklaring(?:en)?\s+med)"
    r"|(?P<twin>vänort(?:en|er|erna)?\s+(?:till\s+)?|vänorter(?:na)?\s+))"
    r"\s+(?:(?:bland annat|bl\.\s?a\.|t\.\s?ex\.|exempelvis)\s+)?"
    r"(?:(?P<kind>nätverket|föreningen|organisationen|samarbetet|projektet|forumet"
    r"|programmet)\s+)?",
    re.IGNORECASE,
)
# Kind words that make the named thing no tie of the body's own.
NOT_A_TIE = re.compile(r"projekt|program", re.IGNORECASE)
# Taking part in an evaluation, a course or an event is no membership ("Ett flertal skolor deltar
# i UiM åk 5 (står för utvärdering i matematik)").
NOT_A_MEMBERSHIP = re.compile(
    r"utvärdering|\bkurs|utbildning|konferens|mässa|mässor|tävling|\bprov\b", re.IGNORECASE
)
# A body named with its kind: "Nacka kommun", "Region Jämtland Härjedalen", "Örebro stad".
OWNER_NAMED = re.compile(r"\b[A-ZÅÄÖ][\w-]+\s+(?:kommun|stad|län)\b|\bRegion(?:\s+[A-ZÅÄÖ][\w-]+)+")
# A title that announces an agreement names it: "Nytt avtal för svensk-norsk samverkan om
# samisk hälsa" is the agreement "Avtal för svensk-norsk samverkan om samisk hälsa".
TITLE_TIE = re.compile(
    r"^(?:(?:nytt|nya|ny|det nya)\s+)?((?:avtal|samarbetsavtal|avsiktsförklaring"
    r"|överenskommelse|partnerskap)\b.*)$",
    re.IGNORECASE,
)
