"""The database records its schema generation; code of a lower generation refuses to write (elekto_site.schema).

Generation 1 is the sealed ballot box (0004, 0005): a release before it (1.0.0 and earlier) writes plaintext
ballots and revokes without the sealed one, so it must not write to a database migrated past 0005. Releases
before this migration have no guard: stop their pods before migrating (CHANGELOG.md, 1.1.0).
"""

import django.utils.timezone
from django.db import migrations, models

from elekto_site.schema import schema_generation_raise


class Migration(migrations.Migration):

    dependencies = [
        ('elections', '0008_verbose_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='SchemaGeneration',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('generation', models.PositiveIntegerField(unique=True)),
                ('release', models.CharField(max_length=40)),
                ('migrated_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        schema_generation_raise(1),
    ]
