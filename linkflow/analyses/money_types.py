"""Which schema.org types make a page look like a money page, and which like an article.

The money page guesser (:mod:`linkflow.analyses.money`) reads the types a page declares
(``pages.schema_types``: JSON-LD ``@type`` and microdata ``itemtype``, nested objects
included). Schema.org has hundreds of business types; the lists here name the common ones
and the suffixes most of the rest share (``BikeStore``, ``HVACBusiness``, ``LegalService``,
``RoofingContractor``, ``TravelAgency`` ...).
"""

from __future__ import annotations

from typing import Final

__all__ = ["EDITORIAL_TYPES", "MONEY_TYPES", "is_editorial_type", "is_money_type"]

MONEY_TYPES: Final = frozenset({
    # what is sold
    "Product", "ProductGroup", "ProductModel", "IndividualProduct", "SomeProducts", "Vehicle",
    "Car", "Motorcycle", "Offer", "AggregateOffer", "OfferCatalog", "Service",
    # who sells it (LocalBusiness and subtypes without a telling suffix)
    "LocalBusiness", "FoodEstablishment", "Restaurant", "Bakery", "BarOrPub",
    "CafeOrCoffeeShop", "FastFoodRestaurant", "Winery", "Brewery", "Distillery", "Hotel",
    "Motel", "Hostel", "BedAndBreakfast", "Resort", "Campground", "Dentist", "Physician",
    "Optician", "Pharmacy", "MedicalClinic", "VeterinaryCare", "Attorney", "Notary",
    "Electrician", "Plumber", "Locksmith", "HousePainter", "MovingCompany", "AutoRepair",
    "AutoDealer", "AutoBodyShop", "AutoRental", "AutoWash", "GasStation", "MotorcycleDealer",
    "MotorcycleRepair", "BeautySalon", "DaySpa", "HairSalon", "NailSalon", "TattooParlor",
    "HealthClub", "RealEstateAgent", "ChildCare", "DryCleaningOrLaundry", "SelfStorage",
    "ShoppingCenter",
    # contact and booking pages, and the actions that book or buy
    "ContactPage", "ReserveAction", "OrderAction", "BuyAction", "QuoteAction",
    "ScheduleAction", "RentAction", "Reservation",
})  # fmt: skip
"""Types that mark a page as selling, booking or contact: a strong money signal."""
_MONEY_SUFFIXES: Final = ("store", "business", "service", "contractor", "agency", "reservation")
_MONEY: Final = frozenset(t.casefold() for t in MONEY_TYPES)

EDITORIAL_TYPES: Final = frozenset({"Blog", "Report", "BlogPosting", "LiveBlogPosting"})
"""Types of articles and posts (with every ``...Article`` and ``...Posting`` type): content,
not a money page, whatever its title says."""
_EDITORIAL_SUFFIXES: Final = ("article", "posting")
_EDITORIAL: Final = frozenset(t.casefold() for t in EDITORIAL_TYPES)


def is_money_type(name: str) -> bool:
    """True for a product, offer, service, business, contact or booking type (in any case:
    pages write ``product`` too).

    >>> is_money_type("HomeAndConstructionBusiness"), is_money_type("Organization")
    (True, False)
    """
    folded = name.casefold()
    return folded in _MONEY or folded.endswith(_MONEY_SUFFIXES)


def is_editorial_type(name: str) -> bool:
    """True for an article, blog or post type (in any case).

    >>> is_editorial_type("NewsArticle"), is_editorial_type("WebPage")
    (True, False)
    """
    folded = name.casefold()
    return folded in _EDITORIAL or folded.endswith(_EDITORIAL_SUFFIXES)
