"""Name and mention recognisers on classes a blind set showed missing: lower-case first names after a context
word, non-Dutch first names and surnames common in NL, names in capitals, Turkish letters and their ASCII
spellings, 'meneer de <surname>', several given names and a call name in parentheses; and look-alikes that must
not fire (titles, shops, pets, places, utility and transport companies' handles). Examples written from
general knowledge, not from any evaluation set. Cheap: pure functions, no browser."""

from __future__ import annotations

import pytest

from crawler.privacy.recognizers_names import mentions, names


def _names(text: str) -> list[str]:
    return [text[m.start:m.end] for m in names(text)]


def _mentions(text: str) -> list[str]:
    return [text[m.start:m.end] for m in mentions(text)]


@pytest.mark.parametrize(("text", "value"), [
    ("de man van ingrid heeft gisteren gebeld", "ingrid"),
    ("nee kevin dat klopt niet", "kevin"),
    ("als moeder van daan vind ik dit raar", "daan"),
    ("ik ben fatima en ik woon hier al jaren", "fatima"),
    ("groetjes sanne", "sanne"),
    ("gr joost", "joost"),
    ("Gisteren heeft Oleksandr Kovalenko gebeld over de aanvraag", "Oleksandr Kovalenko"),
    ("Ik heb met Chidi Okafor gesproken", "Chidi Okafor"),
    ("Ik heb met Thandiwe Dlamini gesproken over het pand", "Thandiwe Dlamini"),
    ("Mijn buurman Wojciech Kowalczyk heeft de klacht ingediend", "Wojciech Kowalczyk"),
    ("Heeft Amadou al gereageerd op de brief?", "Amadou"),
    ("Vraag het maar aan Olena, zij weet het", "Olena"),
    ("Ik heb het aan Priya gevraagd", "Priya"),
    ("Ik heb met PIETER gesproken", "PIETER"),
    ("mijn buurman JAN VAN DER BERG is boos", "JAN VAN DER BERG"),
    ("Mehmet Yılmaz was er ook", "Mehmet Yılmaz"),
    ("Mehmet Yilmaz was er ook", "Mehmet Yilmaz"),
    ("Ayşe Çelik belde mij", "Ayşe Çelik"),
    ("Ayse Celik belde mij", "Ayse Celik"),
    ("ik heb meneer de graaf gesproken", "de graaf"),
    ("mevrouw van der smit belde terug", "van der smit"),
    ("Brief van R. (Rob) Hofstede ontvangen", "R. (Rob) Hofstede"),
    ("Jan Willem Oude Kamphuis was er", "Jan Willem Oude Kamphuis"),
    ("Anna Maria Jansen belde", "Anna Maria Jansen"),
    ("Johannes (Hans) van Leeuwen schreef ons", "Johannes (Hans) van Leeuwen"),
    ("Gisteren heeft Nomvula Mokoena gebeld", "Nomvula Mokoena"),
    ("Ik heb met Kwesi Appiah gesproken over de brief", "Kwesi Appiah"),
    ("Ik heb met MEHMET YILMAZ gesproken", "MEHMET YILMAZ"),
    ("GROETJES, FATIMA", "FATIMA"),
    ("Ik heb het gisteren met Roos besproken", "Roos"),
    ("Iemand de hond van Ferry gezien? Hij is weg", "Ferry"),
    ("tante Mien belde gisteren", "Mien"),
    ("ik heb jan willem de vries gesproken", "jan willem de vries"),
    ("Ik heb H.J. (Henk) Oude Kamphuis gesproken", "H.J. (Henk) Oude Kamphuis"),
    ("Gisteren heeft Oleksandr Petrovych Kovalenko gebeld", "Oleksandr Petrovych Kovalenko"),
    ("Maria Magdalena Oude Elferink schreef", "Maria Magdalena Oude Elferink"),
    ("nee mehmet, dat klopt niet", "mehmet"),
    ("Met vriendelijke groet,\nChukwuemeka Nwachukwu", "Chukwuemeka Nwachukwu"),
])
def test_name_found_whole(text: str, value: str) -> None:
    assert value in _names(text), (text, _names(text))


@pytest.mark.parametrize("text", [
    "I'm not happy with this at all",
    "Slagerij Jansen is al weken dicht",
    "Bakkerij Visser verkoopt het lekkerste brood",
    "de Minister heeft gelogen over de toeslagen",
    "Moi allemaal, wat een mooi weer vandaag",
    "Ik woon in Aachen en werk in Antwerpen",
    "onze kat Minoes is weg sinds dinsdag",
    "onze hond Bello blaft de hele nacht",
    "als het zo doorgaat stop ik ermee",
    "nee dat klopt niet",
    "Ik heb met Rijkswaterstaat gesproken",
    "Ik heb met Rijkswaterstaat Oost gesproken",
    "Ik heb met Liander Netbeheer gebeld",
    "Wij hebben met Albert Heijn gesproken",
    "Wij wonen vlakbij Kleve en Emmerich",
    "Vanuit Gent en Brugge rijden we naar Mechelen",
    "Ik heb met de Wethouder gesproken",
    "Bij Garage Pietersen kun je ook terecht",
    "als je de kat ziet, ze heet Pluis",
    "onze hond heet Sammie en is zoek",
    "mijn kat Daan is al twee dagen weg",
    "Bij Slagerij Henk Jansen is het vlees top",
    "Kapsalon Fatima is vandaag dicht",
    "Ik heb met Bad Bentheim gebeld over de grensovergang",
    "Amai, da is ier nie goe geregeld",
    "Ik heb met Zilveren Kruis gebeld",
    "Ik heb met Univé Verzekeringen gebeld",
    "Ik heb met Thuisbezorgd Support gemaild",
])
def test_no_name(text: str) -> None:
    assert _names(text) == [], (text, _names(text))


@pytest.mark.parametrize("text", [
    "@Vitensonline al drie dagen geen water",
    "@Liander storing in de straat",
    "@Stedin wanneer is de stroom terug?",
    "@Enexis weer een storing",
    "@Brabantwater bruin water uit de kraan",
    "@Fietsersbond goed punt",
    "@NS_online trein weer te laat",
    "@Vereniging_Eigen_Huis wat vinden jullie?",
    "@EnexisGroep storing",
    "@Evides_Water bruin water",
    "@Stedin_Netbeheer",
    "@KNVvereniging",
])
def test_organisation_handle_no_mention(text: str) -> None:
    assert _mentions(text) == [], (text, _mentions(text))


@pytest.mark.parametrize(("text", "value"), [
    ("@jan_jansen1 kijk dit", "@jan_jansen1"),
    ("@fatima.b zag je dit?", "@fatima.b"),
])
def test_person_handle_mention(text: str, value: str) -> None:
    assert value in _mentions(text)
