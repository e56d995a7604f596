"""Promotions beyond pricing arithmetic: the coupon and voucher lifecycle (issue, hold, use, return)."""
