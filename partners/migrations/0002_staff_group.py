from django.contrib.auth.management import create_permissions
from django.db import migrations

# One name in both languages, so the admin's user page reads right to either audience.
STAFF_GROUP = "International Affairs / 국제협력"

# Staff keep the partner record but never delete a partner or an agreement (a partnership
# ends by status) and never manage users. Import needs add+change and export needs view
# on the imported model, so these also grant import and export (django-import-export's
# IMPORT_EXPORT_*_PERMISSION_CODE settings).
STAFF_PERMISSIONS = [
    *(
        f"{action}_{model}"
        for model in ("city", "agreement", "exchange", "homecity")
        for action in ("add", "change", "view")
    ),
    "view_country",
]


def create_staff_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; a fresh database
    # needs them now.
    partners = apps.get_app_config("partners")
    partners.models_module = True
    create_permissions(partners, apps=apps, verbosity=0)
    partners.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="partners", codename__in=STAFF_PERMISSIONS
    )
    assert permissions.count() == len(STAFF_PERMISSIONS), "missing partners permissions"
    group.permissions.set(permissions)


def delete_staff_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=STAFF_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_staff_group, delete_staff_group)]
