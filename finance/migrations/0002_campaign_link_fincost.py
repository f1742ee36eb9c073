"""An expense line's campaign becomes a real link to enablement's Campaign.

The free text it replaces is kept as ``campaign_note`` (old rows stay
readable), and a note that names exactly one campaign of the line's
organization (its Chinese or English title, exactly, after trimming) is
linked to it, so the campaign's cost includes what was booked before the
link. An ambiguous or unknown name stays text only: guessing would book one
campaign's money against another."""

import django.db.models.deletion
from django.db import migrations, models

LINK_EXACT_NAMES = """
UPDATE finance_expenseline AS l
   SET campaign_id = m.campaign_id
  FROM (
        SELECT organization_id, name, min(id) AS campaign_id
          FROM (
                SELECT organization_id, id, btrim(title_zh) AS name FROM enablement_campaign
                 UNION
                SELECT organization_id, id, btrim(title_en) FROM enablement_campaign
                 WHERE btrim(title_en) <> ''
               ) AS names
         GROUP BY organization_id, name
        HAVING count(DISTINCT id) = 1
       ) AS m
 WHERE l.campaign_id IS NULL
   AND l.organization_id = m.organization_id
   AND btrim(l.campaign_note) = m.name
   AND btrim(l.campaign_note) <> ''
"""


class Migration(migrations.Migration):
    dependencies = [
        ("enablement", "0003_merge_0002_campaigns_training_0002_search"),
        ("finance", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(
            model_name="expenseline", old_name="campaign", new_name="campaign_note"
        ),
        migrations.AlterField(
            model_name="expenseline",
            name="campaign_note",
            field=models.CharField(blank=True, max_length=200, verbose_name="关联活动（原文）"),
        ),
        migrations.AddField(
            model_name="expenseline",
            name="campaign",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="enablement.campaign",
                verbose_name="关联活动",
            ),
        ),
        migrations.AddIndex(
            model_name="expenseline",
            index=models.Index(
                condition=models.Q(("campaign__isnull", False)),
                fields=["organization", "campaign"],
                name="expense_line_campaign_idx",
            ),
        ),
        migrations.RunSQL(LINK_EXACT_NAMES, migrations.RunSQL.noop),
    ]
