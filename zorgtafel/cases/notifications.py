"""The notification kinds of the cases room: fixed Dutch sentences, no case content."""

from zorgtafel.notify.kinds import register_kind


def register() -> None:
    register_kind("match", "Nieuwe match",
                  "Meerdere partners hebben signalen over dezelfde jongere geregistreerd. Bekijk de casus in Zorgtafel.")
    register_kind("mogelijk_dubbel", "Mogelijk dubbele persoon",
                  "Een registratie lijkt over een persoon te gaan die al onder een ander nummer bekend is. "
                  "Beoordeel dit in Zorgtafel.")
    register_kind("onthulling_gevraagd", "Verzoek om identiteit in te zien",
                  "Een zorgcoördinator vraagt de identiteit achter een casusnummer in te zien. "
                  "Uw akkoord of weigering is nodig.")
    register_kind("onthulling_besloten", "Besluit over uw verzoek",
                  "Over uw verzoek om een identiteit in te zien is besloten. Bekijk het in Zorgtafel.")
    register_kind("casus_heropend", "Casus heropend",
                  "Er is een nieuw signaal binnengekomen op een afgesloten of afgeschaalde casus.")
