from partners.resources import ExchangeResource

from .export_partners import Command as ExportPartnersCommand


class Command(ExportPartnersCommand):
    help = (
        "Export every exchange activity, published or not, with its partners' slugs (the "
        "columns import_exchanges reads)."
    )

    def resource(self) -> ExchangeResource:
        return ExchangeResource()
