from .feedback import ProductFeedback
from .grants import ProductGroupObjectPermission, ProductUserObjectPermission
from .prints import PrintStatus, ProductVersionPrint
from .product import Product, ProductUnitShare
from .reviews import ReviewComment
from .sections import Section
from .terms import TermsOfReference
from .versions import ProductVersion

__all__ = [
    "PrintStatus",
    "Product",
    "ProductFeedback",
    "ProductGroupObjectPermission",
    "ProductUnitShare",
    "ProductUserObjectPermission",
    "ProductVersion",
    "ProductVersionPrint",
    "ReviewComment",
    "Section",
    "TermsOfReference",
]
