"""Forms parse and validate input; the limits are the services' (one source of truth)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forums import permissions, selectors, services
from forums.models import Category


def _body_field() -> forms.CharField:
    return forms.CharField(
        label=_("Message"),
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": _("Write in Markdown: **bold**, _italic_, `code`, > quote, @name")}),
        error_messages={"required": _("Write something before posting.")},
    )


def _tags_help_text(max_count: int) -> str:
    return gettext("Up to %(count)d existing tags, separated by commas.") % {"count": max_count}


_tags_help = lazy(_tags_help_text, str)


class TagsField(forms.CharField):
    """Comma- or space-separated names of existing tags, resolved to Tag rows."""

    def __init__(self, *, max_count: int = services.MAX_TAGS, **kwargs):
        self.max_count = max_count
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Tags"))
        # Lazy all the way: `%` on a lazy string would freeze it in the language active at import.
        kwargs.setdefault("help_text", _tags_help(max_count))
        super().__init__(**kwargs)
        self.widget.attrs.update({"list": "tag-suggestions", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value) or ""
        names = [name for name in value.replace(",", " ").split() if name]
        tags, unknown = selectors.tags_by_names(names)
        if unknown:
            raise ValidationError(
                _("Unknown tags: %(names)s. Choose from the existing tags.") % {"names": ", ".join(unknown)}
            )
        if len(tags) > self.max_count:
            raise ValidationError(_("Choose at most %(max)d tags.") % {"max": self.max_count})
        return tags


class ThreadForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), label=_("Category"), empty_label=None,
        error_messages={"invalid_choice": _("You cannot start a thread there (read-only categories are for community managers). "
                                            "Choose another category; your text is kept.")},
    )
    title = forms.CharField(
        label=_("Title"),
        min_length=services.TITLE_MIN,
        max_length=services.TITLE_MAX,
        error_messages={"required": _("Give your thread a title.")},
    )
    body = _body_field()
    tags = TagsField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Only where this member may start a thread (a read-only category is not offered to members).
        allowed = [category.pk for category in Category.objects.all() if permissions.can_start_thread(user, category)]
        self.fields["category"].queryset = Category.objects.filter(pk__in=allowed)
        if self.initial.get("category") is not None and self.initial["category"].pk not in allowed:
            del self.initial["category"]

    def clean_category(self):
        category = self.cleaned_data["category"]
        if not permissions.can_start_thread(self.user, category):
            raise ValidationError(
                _("“%(category)s” is read-only: only community managers start threads there.") % {"category": category.name}
            )
        return category

    def clean_title(self):
        # The service's rule, so a title of invisible characters is refused under its own field.
        return services.validate_title(self.cleaned_data["title"])


class ReplyForm(forms.Form):
    body = _body_field()


class PostEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=services.TITLE_MIN, max_length=services.TITLE_MAX, required=False)
    body = _body_field()
    tags = TagsField()

    def __init__(self, *args, post, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        if post.is_first:
            self.fields["title"].required = True
        else:
            del self.fields["title"]
            del self.fields["tags"]

    def clean_title(self):
        return services.validate_title(self.cleaned_data["title"])


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=30, help_text=_("Lower-case letters, digits and dashes."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class SearchForm(forms.Form):
    """The search page's words and filters (a GET form). A filter that names nothing (an unknown tag,
    member or category, a period that is not offered) is an error beside its field, never a guess."""

    q = forms.CharField(required=False, label=_("Search for"),
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words in English or Russian")}))
    category = forms.ModelChoiceField(
        queryset=Category.objects.only("name", "slug"), required=False, to_field_name="slug", label=_("Category"),
        empty_label=_("All categories"),
        error_messages={"invalid_choice": _("There is no such category. Choose one from the list.")},
    )
    tag = forms.CharField(required=False, max_length=30, label=_("Tag"),
                          widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off"}))
    author = forms.CharField(required=False, max_length=150, label=_("Author"),
                             widget=forms.TextInput(attrs={"placeholder": _("username"), "autocomplete": "off"}))
    period = forms.ChoiceField(
        required=False, label=_("Posted"),
        choices=[("any", _("Any time")), ("week", _("In the past week")), ("month", _("In the past month")),
                 ("year", _("In the past year"))],
    )
    order = forms.ChoiceField(required=False, label=_("Sort by"), choices=[("relevance", _("Best match")), ("newest", _("Newest"))])
    solved = forms.BooleanField(required=False, label=_("Solved threads only"))

    def clean_q(self) -> str:
        from forums.search import QUERY_MAX

        return self.cleaned_data["q"][:QUERY_MAX]

    def clean_tag(self):
        name = self.cleaned_data["tag"].strip().lstrip("#").lower()
        if not name:
            return None
        tags, _unknown = selectors.tags_by_names([name])
        if not tags:
            raise ValidationError(_("No tag is called “%(name)s”.") % {"name": name})
        return tags[0]

    def clean_author(self):
        from django.contrib.auth import get_user_model

        name = self.cleaned_data["author"].strip().lstrip("@")
        if not name:
            return None
        member = get_user_model().objects.named(name).only("username", "display_name").first()
        if member is None:
            raise ValidationError(_("No member is called “%(name)s”.") % {"name": name})
        return member

    def filters(self):
        """The valid filters as the search selector takes them."""
        from forums.search import SearchFilters

        data = self.cleaned_data
        return SearchFilters(category=data["category"], tag=data["tag"], author=data["author"],
                             solved_only=data["solved"], period=data["period"] or "any")
