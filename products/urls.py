"""The products app's pages, included at /products/ under the namespace "products".

Each product's sub-pages have their own list below, included under the product's id: the
section editor (`section_patterns`), published versions and compare (`version_patterns`) and
the printed PDF of a version (`print_patterns`).
"""

from django.urls import include, path

from products.views import (
    history,
    prints,
    product,
    register,
    sections,
    submission,
    terms,
    versions,
)

app_name = "products"

# Under /products/<pk>/sections/: the section editor and its actions.
section_patterns = [
    path("<int:section_pk>/edit/", sections.section_edit, name="section_edit"),
    path("<int:section_pk>/preview/", sections.section_preview, name="section_preview"),
    path("<int:section_pk>/autosave/", sections.section_autosave, name="section_autosave"),
    path("<int:section_pk>/withheld/", sections.section_withheld, name="section_withheld"),
    path("add/", sections.section_add, name="section_add"),
    path("reorder/", sections.section_reorder, name="section_reorder"),
]

# Under /products/<pk>/versions/: published versions and their comparison.
version_patterns = [
    path("<int:number>/", versions.version_detail, name="version_detail"),
    path("compare/", versions.version_compare, name="version_compare"),
    path("history/", history.product_history, name="history"),
]

# Under /products/<pk>/versions/<number>/print/: the printed PDF of a published version.
print_patterns = [
    path("", prints.version_print, name="version_print"),
]

urlpatterns = [
    path("", register.product_register, name="register"),
    path("new/", register.product_commission, name="commission"),
    path("<int:pk>/", product.product_detail, name="detail"),
    path("<int:pk>/details/", product.product_details, name="details"),
    path("<int:pk>/submit/", product.product_submit, name="submit"),
    path("<int:pk>/submit/check/", submission.product_submit_check, name="submit_check"),
    path("<int:pk>/return/", product.product_return, name="return"),
    path("<int:pk>/approve/", product.product_approve, name="approve"),
    path("<int:pk>/close/", product.product_close, name="close"),
    path("<int:pk>/feedback/", product.product_feedback, name="feedback"),
    path("<int:pk>/share/", product.product_share, name="share"),
    path("<int:pk>/need-to-know/", product.product_grant_need_to_know, name="grant"),
    path("<int:pk>/terms/", terms.terms_detail, name="terms"),
    path("<int:pk>/terms/agree/", terms.terms_agree, name="terms_agree"),
    path("<int:pk>/sections/", include(section_patterns)),
    path("<int:pk>/versions/", include(version_patterns)),
    path("<int:pk>/versions/<int:number>/print/", include(print_patterns)),
]
