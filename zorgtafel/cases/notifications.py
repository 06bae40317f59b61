"""The notification kinds of the cases room: fixed Dutch sentences, no case content."""

from zorgtafel.core.web import N_
from zorgtafel.notify.kinds import register_kind

KINDS = (
    ("match", N_("Nieuwe match"),
     N_("Meerdere partners hebben signalen over dezelfde jongere geregistreerd. Bekijk de casus in Zorgtafel.")),
    ("mogelijk_dubbel", N_("Mogelijk dubbele persoon"),
     N_("Een registratie lijkt over een persoon te gaan die al onder een ander nummer bekend is. "
        "Beoordeel dit in Zorgtafel.")),
    ("onthulling_gevraagd", N_("Verzoek om identiteit in te zien"),
     N_("Een zorgcoördinator vraagt de identiteit achter een casusnummer in te zien. "
        "Uw akkoord of weigering is nodig.")),
    ("onthulling_besloten", N_("Besluit over uw verzoek"),
     N_("Over uw verzoek om een identiteit in te zien is besloten. Bekijk het in Zorgtafel.")),
    ("casussen_samengevoegd", N_("Casussen samengevoegd"),
     N_("Twee registraties bleken over dezelfde persoon te gaan; hun casussen zijn samengevoegd onder "
        "één casusnummer. Het oude nummer leidt naar de samengevoegde casus.")),
    ("casus_heropend", N_("Casus heropend"),
     N_("Er is een nieuw signaal binnengekomen op een afgesloten of afgeschaalde casus.")),
)


def register() -> None:
    for key, label, text in KINDS:
        register_kind(key, label, text)
