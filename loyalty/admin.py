from django.contrib import admin

from loyalty.models import Badge, BadgeAward, EarningRule, Kudos, LoyaltyAccount, PointsEntry, Redemption, Reward, TierRequirement


@admin.register(EarningRule)
class EarningRuleAdmin(admin.ModelAdmin):
    list_display = ("reason", "amount", "daily_cap", "is_active")
    list_editable = ("amount", "daily_cap", "is_active")


@admin.register(TierRequirement)
class TierRequirementAdmin(admin.ModelAdmin):
    list_display = ("tier", "min_days_since_joining", "min_days_visited", "min_posts_read", "min_posts", "min_threads_replied",
                    "min_likes_given", "min_likes_received", "min_accepted_answers", "min_first_steps")


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ("name", "cost", "stock", "min_tier", "is_active")
    list_editable = ("cost", "stock", "min_tier", "is_active")


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ("reward", "member", "cost", "created_at", "fulfilled_at")
    list_filter = ("fulfilled_at",)
    raw_id_fields = ("member", "fulfilled_by")


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only and only services write it."""

    list_display = ("member", "amount", "reason", "source_type", "source_id", "created_at")
    list_filter = ("reason",)
    raw_id_fields = ("member",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(admin.ModelAdmin):
    list_display = ("member", "balance", "lifetime_points", "score_90d", "tier_set_by_manager")
    raw_id_fields = ("member",)
    readonly_fields = ("balance", "lifetime_points", "score_90d", "tier_changed_at")


admin.site.register(Badge)
admin.site.register(BadgeAward)
admin.site.register(Kudos)
