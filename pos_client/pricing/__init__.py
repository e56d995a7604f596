"""Pricing: the pure function that turns a basket, a member and a program into a quote."""

from pos_client.pricing.engine import price
from pos_client.pricing.model import CartItem, MemberState, Quote, QuoteLine

__all__ = ["CartItem", "MemberState", "Quote", "QuoteLine", "price"]
