from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.models import City, HomeCity


class Command(BaseCommand):
    help = _(
        "Load the country list, the demo partners and their exchange activities (fixtures "
        "countries, daejeon and daejeon-exchanges) into an "
        "empty database. A database that already has a partner or a home city is left as it is."
    )

    def handle(self, *args, **options) -> None:
        # "Empty" means no partner and no home city: that is staff content, which demo
        # data must never overwrite. Countries are reference data loaded by natural key,
        # so loading them into a database with no partners yet harms nothing.
        partners, home = City.objects.count(), HomeCity.objects.exists()
        if partners or home:
            reason = (
                ngettext(
                    "the database already has %(count)d partner",
                    "the database already has %(count)d partners",
                    partners,
                )
                % {"count": partners}
                if partners
                else _("the database already has a home city")
            )
            self.stdout.write(_("Demo data not loaded: %(reason)s.") % {"reason": reason})
            return
        with transaction.atomic():
            call_command("loaddata", "countries", "daejeon", "daejeon-exchanges", verbosity=0)
            # loaddata keeps no history: record what was loaded as each record's first
            # version, so the first edit shows its before value and can be undone.
            # Agreements are recorded with their partner (it follows them), not twice.
            call_command(
                "createinitialrevisions",
                "partners.City",
                "partners.Exchange",
                "partners.HomeCity",
                comment=_("Initial version."),
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Loaded the demo data: %(count)d partners and the home city.")
                % {"count": City.objects.count()}
            )
        )
