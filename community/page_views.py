"""The pages managers write: the guidelines (reading them is a first step), the welcome, and editing both."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community import pages, permissions
from community.members import services as member_services


class PageForm(forms.Form):
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=150)
    body_en = forms.CharField(label=gettext_lazy("Text (English, Markdown)"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 10}))
    title_ru = forms.CharField(label=gettext_lazy("Title (Russian)"), max_length=150, required=False)
    body_ru = forms.CharField(label=gettext_lazy("Text (Russian, Markdown)"), max_length=20_000, required=False,
                              widget=forms.Textarea(attrs={"rows": 10}))


def guidelines(request):
    page = pages.page(pages.GUIDELINES)
    if request.user.is_authenticated:
        member_services.guidelines_read(member=request.user)
    return render(request, "community/site_page.html", {"page": page, "can_edit": permissions.can_edit_site_pages(request.user)})


def welcome(request):
    page = pages.page(pages.WELCOME)
    return render(request, "community/site_page.html", {"page": page, "signed": True,
                                                        "can_edit": permissions.can_edit_site_pages(request.user)})


@login_required
def page_edit(request, slug: str):
    permissions.check_can_edit_site_pages(request.user)
    page = pages.page(slug)
    initial = {"title_en": page.title_en, "title_ru": page.title_ru, "body_en": page.body_en, "body_ru": page.body_ru}
    form = PageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pages.page_update(page=page, editor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved. The page is signed with your name."))
            return redirect("guidelines" if slug == pages.GUIDELINES else "welcome")
    return render(request, "community/site_page_form.html", {"form": form, "page": page}, status=400 if form.errors else 200)
