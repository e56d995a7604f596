"""The product catalog: loading it from CSV or JSON, and finding products at the till.

A catalog file is loaded whole or not at all: the first bad row is reported with its line number and
field, and nothing is written. Prices are integer minor units (`1450` = ₪14.50), as everywhere in Kupa.
Besides the contract's `sku,name,price,category`, the optional columns `name_he`, `barcode`,
`quick_pick` (1/0) and `cost` (what one unit costs the store, minor units: the gross margin of the KPIs,
docs/kpis.md; empty when unknown) are accepted.

Bounds: a file is at most `MAX_CATALOG_BYTES` (refused before it is read) and a JSON one nests at most
`MAX_CATALOG_DEPTH` deep; a price is 0 to `MAX_UNIT_PRICE` minor units (written with at most 12 digits), names
at most 120 characters, so no product can push a sale past `pricing.model.MAX_SALE_SUBTOTAL` unnoticed or
a figure past a 64-bit integer.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pos_client.db.models import Product
from pos_client.errors import InvalidInputError, NotFoundError
from pos_client.jsondoc import DocumentInvalid, DocumentTooDeep, DocumentTooLarge, load_bounded, read_bounded
from pos_client.messages import Text, message
from pos_client.pricing.model import MAX_UNIT_PRICE
from pos_client.terminal import Terminal

_SKU_RE = re.compile(r"^[A-Za-z0-9_\-.]{1,64}$")
_BARCODE_RE = re.compile(r"^[0-9A-Za-z]{4,32}$")
REQUIRED = ("sku", "name", "price", "category")
OPTIONAL = ("name_he", "barcode", "quick_pick", "cost")
#: 64 MiB: some 300,000 products; a real store's catalog is a few MB.
MAX_CATALOG_BYTES = 64 * 1024 * 1024
MAX_CATALOG_DEPTH = 4
CATALOG_TOO_LARGE = message("catalog.too_large", en="catalog file is too large ({size} bytes; at most {limit})",
                            he="קובץ הקטלוג גדול מדי ({size} בתים; לכל היותר {limit})")
CATALOG_TOO_DEEP = message("catalog.too_deep", en="catalog file is nested too deep (more than {limit} levels)",
                           he="קובץ הקטלוג מקונן לעומק רב מדי (יותר מ-{limit} רמות)")
NAME_HE_TOO_LONG = message("catalog.name_he_too_long", en="{where}: field 'name_he' must be at most 120 characters",
                           he="{where}: השדה 'name_he' ארוך מ-120 תווים")


@dataclass(frozen=True)
class ProductRow:
    sku: str
    name: str
    price: int
    category: str
    name_he: str | None = None
    barcode: str | None = None
    quick_pick: bool = False
    cost: int | None = None


UNKNOWN_FIELD = message("catalog.unknown_field", en="{where}: unknown field '{field}'",
                        he="{where}: שדה לא מוכר '{field}'")
FIELD_MISSING = message("catalog.field_missing", en="{where}: field '{field}' is missing",
                        he="{where}: השדה '{field}' חסר")
SKU_CHARS = message("catalog.sku_chars",
                    en="{where}: field 'sku': '{sku}' may only hold letters, digits, '-', '_' and '.'",
                    he="{where}: שדה 'sku': '{sku}' יכול להכיל רק אותיות, ספרות, '-', '_' ו־'.'")
NAME_LENGTH = message("catalog.name_length", en="{where}: field 'name' must be 1 to 120 characters",
                      he="{where}: השדה 'name' חייב להיות באורך 1 עד 120 תווים")
PRICE_NOT_WHOLE = message("catalog.price_not_whole",
                          en="{where}: field 'price': '{price}' is not a whole number of minor units",
                          he="{where}: שדה 'price': '{price}' אינו מספר שלם של אגורות")
COST_NOT_WHOLE = message("catalog.cost_not_whole",
                         en="{where}: field 'cost': '{cost}' is not a whole number of minor units",
                         he="{where}: שדה 'cost': '{cost}' אינו מספר שלם של אגורות")
COST_RANGE = message("catalog.cost_range", en="{where}: field 'cost': {cost} is out of range",
                     he="{where}: שדה 'cost': {cost} מחוץ לטווח")
PRICE_RANGE = message("catalog.price_range", en="{where}: field 'price': {price} is out of range",
                      he="{where}: שדה 'price': {price} מחוץ לטווח")
BARCODE_INVALID = message("catalog.barcode_invalid",
                          en="{where}: field 'barcode': '{barcode}' is not a barcode",
                          he="{where}: שדה 'barcode': '{barcode}' אינו ברקוד")


def _row(raw: dict[str, Any], where: Text) -> ProductRow:
    unknown = set(raw) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise InvalidInputError(UNKNOWN_FIELD, where=where, field=sorted(unknown)[0])
    for key in REQUIRED:
        if raw.get(key) in (None, ""):
            raise InvalidInputError(FIELD_MISSING, where=where, field=key)
    sku = str(raw["sku"]).strip()
    if not _SKU_RE.match(sku):
        raise InvalidInputError(SKU_CHARS, where=where, sku=sku)
    name = str(raw["name"]).strip()
    if not name or len(name) > 120:
        raise InvalidInputError(NAME_LENGTH, where=where)
    price_raw = raw["price"]
    if not _whole(price_raw):
        raise InvalidInputError(PRICE_NOT_WHOLE, where=where, price=price_raw)
    price = int(price_raw)
    if not 0 <= price <= MAX_UNIT_PRICE:
        raise InvalidInputError(PRICE_RANGE, where=where, price=price)
    cost_raw = raw.get("cost")
    cost = None
    if cost_raw not in (None, ""):
        if not _whole(cost_raw):
            raise InvalidInputError(COST_NOT_WHOLE, where=where, cost=cost_raw)
        cost = int(cost_raw)  # type: ignore[arg-type]
        if not 0 <= cost <= MAX_UNIT_PRICE:
            raise InvalidInputError(COST_RANGE, where=where, cost=cost)
    barcode = str(raw.get("barcode") or "").strip() or None
    if barcode and not _BARCODE_RE.match(barcode):
        raise InvalidInputError(BARCODE_INVALID, where=where, barcode=barcode)
    quick = str(raw.get("quick_pick") or "0").strip().lower() in ("1", "true", "yes")
    if len(str(raw.get("name_he") or "").strip()) > 120:
        raise InvalidInputError(NAME_HE_TOO_LONG, where=where)
    return ProductRow(sku=sku, name=name, price=price, category=str(raw["category"]).strip()[:40],
                      name_he=str(raw.get("name_he") or "").strip() or None, barcode=barcode, quick_pick=quick,
                      cost=cost)


def _whole(value: object) -> bool:
    """A whole number of minor units: an int (not a bool) or a string of at most 12 digits."""
    return not isinstance(value, bool) and (isinstance(value, int) or (
        isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12))


WHERE_LINE = message("catalog.where_line", en="line {line}", he="שורה {line}")
WHERE_PRODUCT = message("catalog.where_product", en="product {number}", he="מוצר {number}")
JSON_INVALID = message("catalog.json_invalid", en="catalog file is not valid JSON (line {line}: {error})",
                       he="קובץ הקטלוג אינו JSON תקין (שורה {line}: {error})")
JSON_NOT_LIST = message("catalog.json_not_list",
                        en='catalog JSON must be a list of products (or {{"products": [...]}})',
                        he='קטלוג JSON חייב להיות רשימת מוצרים (או {{"products": [...]}})')
PRODUCT_NOT_OBJECT = message("catalog.product_not_object", en="product {number}: must be an object",
                             he="מוצר {number}: חייב להיות אובייקט")
CSV_HEADER = message("catalog.csv_header",
                     en="line 1: the CSV header lacks '{field}' (expected sku,name,price,category)",
                     he="שורה 1: בכותרת ה־CSV חסר '{field}' (מצופה sku,name,price,category)")
TOO_MANY_FIELDS = message("catalog.too_many_fields", en="line {line}: too many fields",
                          he="שורה {line}: יותר מדי שדות")
SKU_TWICE = message("catalog.sku_twice", en="sku '{sku}' appears twice in the file",
                    he='המק"ט \'{sku}\' מופיע פעמיים בקובץ')
NO_PRODUCTS = message("catalog.no_products", en="the catalog file has no products",
                      he="אין מוצרים בקובץ הקטלוג")


def parse_catalog(text: str, *, is_json: bool) -> list[ProductRow]:
    """Validate a whole catalog file; raise on the first bad row naming its line and field."""
    rows: list[ProductRow] = []
    if len(text) > MAX_CATALOG_BYTES:
        raise InvalidInputError(CATALOG_TOO_LARGE, size=len(text), limit=MAX_CATALOG_BYTES)
    if is_json:
        try:
            data = load_bounded(text, max_bytes=MAX_CATALOG_BYTES, max_depth=MAX_CATALOG_DEPTH)
        except DocumentTooLarge as exc:
            raise InvalidInputError(CATALOG_TOO_LARGE, size=exc.size, limit=exc.limit) from exc
        except DocumentTooDeep as exc:
            raise InvalidInputError(CATALOG_TOO_DEEP, limit=exc.limit) from exc
        except DocumentInvalid as exc:
            raise InvalidInputError(JSON_INVALID, line=exc.line, error=exc.reason) from exc
        if isinstance(data, dict):
            data = data.get("products")
        if not isinstance(data, list):
            raise InvalidInputError(JSON_NOT_LIST)
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                raise InvalidInputError(PRODUCT_NOT_OBJECT, number=i + 1)
            rows.append(_row(item, WHERE_PRODUCT.bind(number=i + 1)))
    else:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [h for h in REQUIRED if h not in header]
        if missing:
            raise InvalidInputError(CSV_HEADER, field=missing[0])
        reader.fieldnames = header
        for raw in reader:
            if None in raw:
                raise InvalidInputError(TOO_MANY_FIELDS, line=reader.line_num)
            rows.append(_row({k: v for k, v in raw.items() if v is not None}, WHERE_LINE.bind(line=reader.line_num)))
    seen: set[str] = set()
    for product in rows:
        if product.sku in seen:
            raise InvalidInputError(SKU_TWICE, sku=product.sku)
        seen.add(product.sku)
    if not rows:
        raise InvalidInputError(NO_PRODUCTS)
    return rows


CANNOT_READ = message("catalog.cannot_read", en="cannot read catalog file {path}: {error}",
                      he="אי אפשר לקרוא את קובץ הקטלוג {path}: {error}")


def load_catalog_file(terminal: Terminal, path: Path) -> int:
    try:
        text = read_bounded(path, MAX_CATALOG_BYTES)
    except DocumentTooLarge as exc:
        raise InvalidInputError(CATALOG_TOO_LARGE, size=exc.size, limit=exc.limit) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(CANNOT_READ, path=str(path), error=getattr(exc, "strerror", None) or str(exc)) from exc
    rows = parse_catalog(text, is_json=path.suffix.lower() == ".json")
    with terminal.unit_of_work() as session:
        upsert_products(session, rows)
    return len(rows)


def upsert_products(session: Session, rows: list[ProductRow]) -> None:
    for row in rows:
        session.merge(Product(sku=row.sku, name=row.name, name_he=row.name_he, price=row.price,
                              category=row.category, barcode=row.barcode, quick_pick=row.quick_pick, active=True,
                              cost=row.cost))


NO_PRODUCT_CODE = message("product.no_code", en="no product code given", he="לא הוזן קוד מוצר")
PRODUCT_CODE_LONG = message("product.code_too_long", en="that code is too long to be a product",
                            he="הקוד ארוך מדי בשביל מוצר")
UNKNOWN_PRODUCT = message("product.unknown", en="unknown product '{code}'", he="מוצר לא מוכר '{code}'")


def find_product(session: Session, code: str) -> Product:
    """A product by SKU (case-insensitive) or barcode."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        raise NotFoundError(NO_PRODUCT_CODE if not code else PRODUCT_CODE_LONG)
    product = session.scalar(select(Product).where(
        Product.active.is_(True), or_(Product.sku == code, Product.barcode == code)))
    if product is None:
        product = session.scalar(select(Product).where(Product.active.is_(True), Product.sku == code.upper()))
    if product is None:
        raise NotFoundError(UNKNOWN_PRODUCT, code=code)
    return product


def search_products(session: Session, text: str, limit: int = 20) -> list[Product]:
    pattern = f"%{text.strip()}%"
    return list(session.scalars(select(Product).where(Product.active.is_(True), or_(
        Product.name.ilike(pattern), Product.name_he.like(pattern), Product.sku.ilike(pattern),
        Product.barcode == text.strip())).order_by(Product.name).limit(limit)))
