"""Promotions beyond pricing: which segments a member is in and which offers apply to them (`segments`,
`offers`), from what the terminal (`facts`) or HQ (`sync.hq.segments`) knows about the member."""
