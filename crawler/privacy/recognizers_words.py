"""Word lists of the name recogniser (recognizers_names.py): tussenvoegsels, honorifics, relation words,
greetings, sign-offs, interjections, offices, professions, and capitalised words that are never names.
Dutch first, with the English forms comments in English use."""

from __future__ import annotations

import re

TUSSENVOEGSELS = frozenset(("van", "de", "den", "der", "ter", "ten", "te", "het", "'t", "in", "op", "uit", "la", "le",
                            "du", "da", "dos", "el", "al", "bin", "ben", "von", "d'", "ait", "abou", "ibn", "vd",
                            "v.d."))
HONORIFICS = frozenset(("meneer", "mevrouw", "mevr", "mw", "mvr", "dhr", "heer", "hr", "juffrouw", "juf", "fam",
                        "familie", "mr", "dr", "ir", "drs", "ing", "mrs", "mister", "miss", "ms", "sir", "mnr",
                        "mijnheer", "mej", "mejuffrouw", "jhr", "jonkheer", "jkvr", "jonkvrouw", "prof", "ds",
                        "dominee", "wed", "weduwe", "mx", "madam",
                        # Staff a citizen names by their role: 'dokter Jansen', 'consulent De Vries', 'agent Bakker'.
                        "dokter", "huisarts", "tandarts", "arts", "specialist", "chirurg", "verpleegkundige",
                        "consulent", "consulente", "klantmanager", "casemanager", "wijkagent", "agent", "agente",
                        "hoofdagent", "brigadier", "rechercheur", "boa", "handhaver", "examinator", "docent",
                        "docente", "leraar", "lerares", "meester", "mentor", "begeleider", "begeleidster",
                        "therapeut", "fysiotherapeut", "psycholoog", "advocaat", "notaris", "deurwaarder",
                        "ambtenaar", "inspecteur", "pastoor", "imam", "rabbijn", "pater", "doctor", "nurse",
                        "officer", "teacher",
                        # guides, instructors and coaches a citizen thanks: 'onze gids Floor', 'instructeur Ferry'
                        "gids", "instructeur", "instructrice", "rij-instructeur", "rijinstructeur", "trainer",
                        "trainster", "coach", "jeugdarts", "verloskundige", "kraamverzorgster", "wijkverpleegkundige",
                        "buschauffeur", "conducteur", "stagebegeleider", "ouderenadviseur", "jongerenwerker"))
RELATIONS = frozenset("""
buurman buurvrouw buren buurjongen buurmeisje vader moeder pa ma papa mama zoon zoontje dochter dochtertje broer
broertje zus zusje zuster partner man vrouw echtgenoot echtgenote vriend vriendje vriendin vriendinnetje collega
oom tante opa oma neef nicht schoonvader schoonmoeder zwager schoonzus schoonzoon schoondochter baas werkgever
huisgenoot huisbaas verhuurder kind kinderen kleinzoon kleindochter kleinkind stiefvader stiefmoeder stiefzoon
stiefdochter klant cliënt client patiënt patient contactpersoon behandelaar ex verloofde zoon's mantelzorger
neighbour neighbor son daughter wife husband mother father mom mum dad brother sister friend colleague boss landlord
landlady uncle aunt auntie grandma grandpa granddad grandmother grandfather cousin nephew niece girlfriend boyfriend
fiancé fiancee fiancée tenant roommate flatmate housemate carer caregiver
""".split())
INTRODUCERS = frozenset(("heet", "genaamd", "namens", "naam", "is", "ben", "called", "named"))
# Words a writer addresses someone with, without a greeting: 'omg Sanne', 'haha Youssef', 'kijk Priya'.
INTERJECTIONS = frozenset("""
omg omfg lol lmao wow jeetje jemig jeez jezus nou ach kijk zie check oei oeps tja pfff pff gatver wtf damn sorry
hè hee heey heyy yes ey ej ewa wollah wallah vallah look
""".split())
_LAUGH = re.compile(r"(?:ha){2,}h?|(?:he){2,}h?|(?:hi){2,}h?|o+mg|lo+l|wo+w|ha+h+a+")
GREETINGS = frozenset(("hoi", "hallo", "hey", "hee", "hé", "he", "beste", "dag", "lieve", "geachte", "goedemorgen",
                       "goedemiddag", "goedenavond", "hi", "ha", "hoii", "hallo's", "yo", "dear", "morgen", "hello",
                       "hiya", "heya", "hej", "moi", "moin", "salam", "salaam", "selam", "merhaba", "goeiemorgen",
                       "goeiemiddag", "goeienavond", "hoihoi", "hallootjes", "morning"))
SIGN_OFFS = frozenset(("groet", "groeten", "groetjes", "gr", "grt", "grtz", "mvg", "mvgr", "vgr", "liefs", "x", "xx",
                       "xxx", "bedankt", "thanks", "cheers", "doei", "greetz", "gegroet", "hg", "dankjewel",
                       "alvast", "dank", "regards", "sincerely", "love", "merci", "ciao",
                       "groetjes", "groetjesss", "liefs", "dankje", "dankuwel", "dankzij"))
OFFICES = frozenset("""
minister staatssecretaris burgemeester wethouder premier minister-president kamerlid gedeputeerde commissaris
raadslid ombudsman koning koningin prinses prins president partijleider fractievoorzitter lijsttrekker
staatshoofd directeur-generaal inspecteur-generaal secretaris-generaal kamervoorzitter ministers
""".split())
# Surnames that are also occupations: lower case after an article they are the occupation ("de bakker").
PROFESSIONS = frozenset("""
bakker visser smit smid kok schilder timmerman metselaar molenaar koster boer kuiper brouwer mulder visscher
kramer koopman jager schipper ridder prins koning haan graaf wagenaar schenk snel post bos groen klein mol
""".split())
# Capitalised words that start sentences or name things, never people.
COMMON = frozenset("""
ik je jij u wij we zij hij ze het de een dit dat deze die mijn jouw uw ons onze hun haar zijn waarom wat wie hoe waar
wanneer ja nee dank bedankt groet graag team webcare helpdesk klantenservice alvast succes sterkte hallo hoi beste
geachte allemaal iedereen mensen medewerker medewerkers heren dames lezer lezers redactie afdeling gisteren vandaag
morgen eergisteren vanochtend vanavond vanmiddag vannacht toen nu straks daarna sinds volgens na voor bij met door
aan op in uit over onder tussen zonder tegen tot om of en maar want dus echter toch ook nog al weer wel niet geen
als omdat hoewel terwijl zodra helaas gelukkig natuurlijk eindelijk inmiddels intussen ondertussen trouwens ps
goedemorgen goedemiddag goedenavond fijne prettige super top mooi lekker thanks sorry oke oké ok hey hee
belasting toeslag toeslagen aanvraag formulier brief bericht mail website app site rijbewijs paspoort
kerst pasen pinksteren koningsdag oud nieuw corona covid nederland nederlands nederlandse engels
albert heijn jumbo lidl aldi action hema kruidvat bol google facebook twitter instagram youtube tiktok whatsapp
linkedin microsoft apple samsung ns ov gvb ret htm arriva connexxion ziggo kpn vodafone odido eneco essent vattenfall
corp inc ltd llc gmbh bv nv co zonen zn partners compagnie
the i my your his her our their this that these those it its is are was were be been and or but so if when
who why how where which please thank hello yes no not very also just only still even here there then today
yesterday council government municipality city town people everyone anyone someone nobody office department staff
i'm i’m i've i'd i'll you're we're they're it's that's there's don't can't won't isn't
bad sankt ge gij zijt amai awel allee wa da nie goe
""".split())
MONTHS_DAYS = frozenset("""
januari februari maart april mei juni juli augustus september oktober november december maandag dinsdag woensdag
donderdag vrijdag zaterdag zondag jan feb mrt apr jun jul aug sep sept okt nov dec
""".split())

# Words a listed (unambiguous) first name follows as a person, also in lower case: 'de man van ingrid', 'nee kevin'.
CONTEXT_BEFORE = frozenset(("van", "nee", "ja", "als", "met", "aan", "voor", "door", "bij", "dankzij", "zonder"))
# Shops and businesses: 'Slagerij Jansen', 'Garage Pietersen' is the business, not a person.
SHOPS = frozenset("""
slager bakker bakkerij kapper garage café cafe restaurant snackbar fietsenmaker schoenmaker drogist apotheek
installatiebedrijf autobedrijf stichting vereniging firma kwekerij boerderij slagerij kapsalon bloemist
bloemenzaak banketbakkerij viswinkel visspeciaalzaak tuincentrum rijschool makelaardij makelaar aannemer
loodgieter schildersbedrijf autogarage bouwbedrijf transportbedrijf hoveniersbedrijf dierenarts dierenkliniek
""".split())
# 'heeft Nomvula Mokoena gebeld': unknown capitalised words between these and a participle of contact.
BEFORE_UNKNOWN = frozenset(("heeft", "had", "hebben", "heb", "met", "aan", "door"))
CONTACT_VERBS = frozenset(("gebeld", "gesproken", "gemaild", "geappt", "gezien", "geholpen", "gezegd", "geschreven",
                           "gereageerd", "gevraagd", "ontmoet", "verteld", "teruggebeld", "bezocht", "opgebeld"))
# Pets: 'onze kat Minoes' names a pet, not a person (recognizers_names._pet_before).
PETS = frozenset(("kat", "poes", "kater", "hond", "hondje", "puppy", "konijn", "cavia", "paard", "pony", "kitten",
                  "katje", "poesje", "vogel", "parkiet", "hamster", "cat", "dog", "huisdier", "viervoeter"))
