"""Dutch text material for the generator: government posts and citizen replies.

Slots in braces are filled by `content.py`. Reply sentences that carry personal data name the
slot ({bsn}, {phone}, ...) so the generator can record exactly what it put in the text.
"""

from __future__ import annotations

CITIES = ("Utrecht", "Zwolle", "Groningen", "Tilburg", "Almere", "Breda", "Nijmegen",
          "Enschede", "Haarlem", "Arnhem", "Leeuwarden", "Maastricht", "Delft", "Den Bosch",
          "Apeldoorn", "Dordrecht", "Assen", "Middelburg", "Lelystad", "Emmen")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")

# Government posts: (hashtags, text). Slots: {city} {n} {pct} {amount} {day} {date} {hour}.
POSTS = (
    ("#Toeslagen", "Vanaf {date} kunt u de huurtoeslag voor volgend jaar aanvragen. Controleer "
     "vooraf of uw inkomen en huur kloppen, dan voorkomt u dat u later moet terugbetalen."),
    ("#Energie", "Het energieplafond blijft ook dit kwartaal gelden. Huishoudens met een laag "
     "inkomen kunnen bij hun gemeente een energietoeslag van €{amount} aanvragen."),
    ("#DigiD", "Let op: er gaan valse berichten rond over het verlopen van uw DigiD. Wij vragen "
     "nooit via sms of e-mail om uw inloggegevens. Twijfelt u? Bel de DigiD-helpdesk."),
    ("#Wonen", "Deze week zijn in {city} de eerste {n} flexwoningen opgeleverd. Samen met "
     "gemeenten willen we dit jaar {n}0 extra woningen voor starters realiseren."),
    ("#Klimaat", "Goed nieuws: de subsidie voor een (hybride) warmtepomp is verhoogd naar "
     "gemiddeld {pct}% van de aanschafkosten. Aanvragen kan tot en met {date}."),
    ("#Belastingen", "Nog geen aangifte inkomstenbelasting gedaan? Dat kan nog tot {date}. "
     "Heeft u hulp nodig? Kijk welke organisaties in {city} gratis ondersteuning bieden."),
    ("#Zorg", "Vanaf {date} wordt het eigen risico voor de zorgverzekering niet verhoogd. "
     "Zo blijft zorg betaalbaar voor iedereen, ook voor mensen met een chronische ziekte."),
    ("#Onderwijs", "Studenten krijgen dit studiejaar een tegemoetkoming van €{amount}. Het "
     "bedrag wordt automatisch uitgekeerd; u hoeft hiervoor niets aan te vragen."),
    ("#NLAlert", "Op {day} {date} om {hour}:00 uur test de overheid NL-Alert. U ontvangt dan "
     "een testbericht op uw mobiele telefoon. U hoeft niets te doen."),
    ("#Verkiezingen", "Stemmen bij de verkiezingen kan op {date} van 07:30 tot 21:00 uur. Neem "
     "uw stempas en een geldig identiteitsbewijs mee. Uw ID mag maximaal 5 jaar verlopen zijn."),
    ("#Paspoort", "Gaat u deze zomer op reis? Vraag uw paspoort of ID-kaart op tijd aan. In "
     "{city} is de wachttijd voor een afspraak nu ongeveer {n} werkdagen."),
    ("#Stikstof", "Vandaag is het plan voor het landelijk gebied gepresenteerd. Boeren in de "
     "regio {city} kunnen vanaf {date} gebruikmaken van de nieuwe opkoopregeling."),
    ("#Wooo", "Op basis van de Wet open overheid hebben we vandaag {n} documenten over de "
     "besluitvorming rond de energietoeslag openbaar gemaakt."),
    ("#Internetconsultatie", "Wat vindt u van het wetsvoorstel over betaalbare huur? Tot {date} "
     "kunt u reageren via de internetconsultatie. Alle reacties worden gelezen."),
    ("#AOW", "De AOW-leeftijd blijft in {year} gelijk. Wilt u weten wanneer uw AOW ingaat? "
     "Bekijk uw persoonlijke AOW-datum bij de SVB."),
    ("#Werk", "Het minimumloon stijgt per {date} met {pct}%. Werkgevers passen dit automatisch "
     "toe. Klopt uw loonstrook niet? Neem contact op met uw werkgever."),
    ("#Veiligheid", "KNMI verwacht {day} zware windstoten in het noorden. Zet losse spullen "
     "vast, vermijd onnodige reizen en volg de berichten van uw veiligheidsregio."),
    ("#Zorg", "Dit najaar start de griepprik voor 60-plussers. Heeft u een uitnodiging "
     "ontvangen? Maak een afspraak bij uw huisarts in {city} of omgeving."),
    ("#Kinderopvang", "Ouders krijgen vanaf {date} {pct}% van de kosten van kinderopvang "
     "vergoed. Geef wijzigingen in uw uren altijd binnen vier weken door."),
    ("#Mobiliteit", "Vanaf {date} wordt er gewerkt aan de A{road} bij {city}. Houd rekening "
     "met {n} minuten extra reistijd of reis met de trein."),
    ("#Digitaal", "Vanaf {date} kunt u ook met de ID-kaart-app inloggen bij de overheid. "
     "Veiliger, en u heeft geen sms-code meer nodig."),
    ("#Begroting", "Vandaag is de begroting voor {year} gepresenteerd. De overheid investeert "
     "€{amount} miljoen extra in koopkracht, zorg en veiligheid."),
    ("#Jongeren", "Ben je tussen de 18 en 27 en heb je schulden? Vanaf {date} kun je in "
     "{city} terecht bij een gratis schuldhulpspreekuur, zonder wachtlijst."),
    ("#Water", "Door de droogte geldt in de regio {city} een tijdelijk beregeningsverbod. "
     "Gebruik drinkwater zuinig: korter douchen scheelt al {n} liter per dag."),
    ("#Toeslagen", "Heeft u te veel zorgtoeslag ontvangen? Dan kunt u een "
     "betalingsregeling aanvragen. U betaalt dan maximaal €{amount} per maand terug."),
    ("#Bereikbaarheid", "Onze publieksvoorlichting is op {day} beperkt bereikbaar door "
     "onderhoud. Voor spoedvragen kunt u na {hour}:00 uur weer terecht."),
)
CLOSINGS = ("Meer informatie op rijksoverheid.nl.", "Lees meer op rijksoverheid.nl.",
            "Vragen? Bel 1400, de publieksvoorlichting van de overheid.", "",
            "Deel dit bericht met wie het aangaat.", "")

# Reply material. Each entry is a sentence; {slots} carry PII (recorded in the truth).
OPENERS = (
    "Ik snap hier eerlijk gezegd niets van.", "Eindelijk duidelijke informatie, dank!",
    "Dit had een jaar geleden al geregeld moeten zijn.", "Heel fijn om te horen.",
    "En wat betekent dit dan voor zzp'ers?", "Wat een onzin weer.",
    "Klopt dit ook voor mensen die in het buitenland wonen?", "Goed initiatief.",
    "Ik heb precies hetzelfde probleem.", "Waarom hoor ik dit pas nu?",
    "Helder uitgelegd, complimenten.", "Is dit ook al in de wet vastgelegd?",
    "Ik heb de website bekeken maar kan het formulier niet vinden.",
    "Weer een regeling waar niemand van op de hoogte is.", "Top, dit scheelt ons veel geld.",
    "Bij ons in de straat weet niemand hiervan.", "Dus ik moet opnieuw een aanvraag doen?",
    "Dit staat haaks op wat de gemeente ons vertelde.", "Eens.", "Precies dit.",
)
PII_SENTENCES = {
    "bsn": ("Mijn BSN is {bsn}, kunnen jullie even kijken waar mijn aanvraag blijft?",
            "Ik heb al drie keer gebeld met BSN {bsn} en niemand weet het.",
            "Voor de duidelijkheid: het gaat om dossier op BSN {bsn}."),
    "phone": ("Bel me gerust terug op {phone}, ik ben na vijf uur bereikbaar.",
              "Mijn nummer is {phone}, graag een terugbelverzoek.",
              "Wie kan me helpen? Ik ben te bereiken op {phone}."),
    "email": ("Stuur de informatie maar naar {email}, dan lees ik het vanavond.",
              "Ik heb al een mail gestuurd vanaf {email} maar nog geen antwoord.",
              "Mijn adres is {email} als iemand meer weet."),
    "iban": ("Het geld is nog steeds niet op {iban} gestort.",
             "Ik heb het bedrag teruggestort vanaf {iban}, klopt dat zo?",
             "Kunnen jullie het gewoon overmaken naar {iban}?"),
    "postcode": ("Wij wonen op {postcode} en hebben nooit een brief gehad.",
                 "Mijn adres is {postcode}, de brief is daar nooit aangekomen.",
                 "Op {postcode} staat de hele straat al weken zonder antwoord."),
    "name": ("Mijn buurvrouw {name} heeft precies hetzelfde meegemaakt.",
             "Mijn vader {name} wacht ook al maanden op een reactie.",
             "Ik heb het aangevraagd op naam van mijn partner {name}."),
    "mention": ("{mention} heb jij hier ook een brief over gekregen?",
                "{mention} dit is wat ik vorige week bedoelde.",
                "Misschien weet {mention} hier meer van?"),
    "plate": ("Mijn auto met kenteken {plate} is twee keer geflitst terwijl hij stilstond.",
              "De boete voor {plate} klopt niet, die auto heb ik al verkocht.",
              "Ons busje ({plate}) mag de milieuzone niet meer in, hoe zit dat?"),
    "birthdate": ("Ik ben geboren op {birthdate}, val ik daar nog onder?",
                  "Mijn moeder (geb. {birthdate}) wacht ook al maanden op een reactie.",
                  "Het formulier accepteert mijn geboortedatum {birthdate} niet."),
}
CLOSERS = (
    "Graag snel een reactie.", "Alvast bedankt.", "Dank voor het delen.",
    "Ik ben benieuwd.", "Hopelijk wordt het nu beter geregeld.", "Groet uit {city}.",
    "Succes allemaal.", "Dit moet echt anders.",
)
REPLY_SENTENCES = (
    "Dat klopt niet helemaal, bij mij ging het anders.", "Precies, dat zeg ik ook.",
    "Heb je al gebeld met de helpdesk?", "Bij mij duurde het ook zes weken.",
    "Je kunt het ook via de website van je gemeente aanvragen.", "Sterkte ermee!",
    "Nee, dat geldt alleen voor nieuwe aanvragen.", "Dank je, dat wist ik niet.",
    "Volgens mij moet je eerst bezwaar maken.", "Ik zou het gewoon nog een keer proberen.",
    "Dat is echt belachelijk.", "Goed dat je het meldt.",
)

ACCOUNT_BIO = ("Officieel account van het Ministerie van Demo. Wij informeren over regelingen, "
               "toeslagen en actuele ontwikkelingen. Op werkdagen gemodereerd van 9 tot 17 uur.")
CITIZEN_BIOS = ("", "Moeder van twee. Mening is van mijzelf.", "Fietser, koffiedrinker.",
                "Zzp'er in de bouw.", "Gepensioneerd en nieuwsgierig.", "Student.",
                "Vrijwilliger bij de voedselbank.", "Boer in hart en nieren.", "Verpleegkundige.")
IMAGE_CAPTIONS = ("Infographic met de belangrijkste data.", "Foto van de presentatie.",
                  "Grafiek met de ontwikkeling over de afgelopen jaren.",
                  "Kaart van de regio met de maatregelen.", "Stappenplan in beeld.")
