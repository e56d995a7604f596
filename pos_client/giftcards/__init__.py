"""Gift cards and store credit: a ledger of money (docs/giftcards.md). `ledger` keeps the movements and the
balances; `pos_client.services.giftcards` applies the business rules at the counter."""
