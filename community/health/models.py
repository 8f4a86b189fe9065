"""The nightly rollup: one figure of one past day, site-wide (category null) or for one category."""

from django.db import models


class DailyFigure(models.Model):
    day = models.DateField()
    category_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=40)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "category_id", "name"], nulls_distinct=False, name="health_daily_figure_once"),
        ]
        indexes = [models.Index(fields=["name", "category_id", "day"], name="health_daily_figure_range")]

    def __str__(self) -> str:
        return f"{self.day} {self.category_id or '*'} {self.name}={self.value}"
