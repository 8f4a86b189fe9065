"""An index for search with filters and no words (issue 10, point 6): visible posts, newest first.

Built concurrently, so a forum with 500,000 posts keeps answering while it is made.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('forums', '0006_read_horizon'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='post',
            index=models.Index(condition=models.Q(('is_deleted', False), ('is_hidden', False)), fields=['-created_at', '-id'],
                               name='forums_post_visible_latest'),
        ),
    ]
