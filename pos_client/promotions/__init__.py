"""Promotions beyond pricing arithmetic: which segments a member is in and which offers apply to them
(`segments`, `offers`, from what the terminal — `facts` — or HQ — `sync.hq.segments` — knows), and the coupon
and voucher lifecycle (issue, hold, use, return: `holdings`)."""
