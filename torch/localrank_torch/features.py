"""Content tokens of an item and their hash buckets, bit for bit as src/worker/ranking/features.ts.

JavaScript semantics matter here: FNV-1a runs over UTF-16 code units, lengths are UTF-16
lengths, `trim()` strips JavaScript's whitespace set, `\\d` is ASCII, `Math.round` rounds half
up, `String(x)` formats numbers as JavaScript does and `Object.entries` lists integer-like keys
first. An item the device never saw by id must land on the rows it was trained on.
"""
import math
import re
import unicodedata

# JavaScript's String.prototype.trim: WhiteSpace and LineTerminator code points.
_JS_SPACE = '\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
_YEAR = re.compile(r'^(1[89]|20)[0-9][0-9]$')
_ARRAY_INDEX = re.compile(r'^(0|[1-9][0-9]*)$')


def fnv1a(text):
    """FNV-1a, 32 bit, over the UTF-16 code units of `text` (as `fnv1a` in features.ts)."""
    h = 0x811C9DC5
    data = text.encode('utf-16-le', 'surrogatepass')
    for i in range(0, len(data), 2):
        h ^= data[i] | (data[i + 1] << 8)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def js_length(text):
    """`text.length` in JavaScript: UTF-16 code units."""
    return len(text.encode('utf-16-le', 'surrogatepass')) // 2


def js_slice(text, end):
    """`text.slice(0, end)` in JavaScript (UTF-16 code units; may split a surrogate pair)."""
    units = text.encode('utf-16-le', 'surrogatepass')[: 2 * end]
    return units.decode('utf-16-le', 'surrogatepass')


def js_trim(text):
    return text.strip(_JS_SPACE)


def js_number(x):
    """`String(x)` for a finite number, as JavaScript writes it (shortest round trip)."""
    if isinstance(x, bool):
        return 'true' if x else 'false'
    if isinstance(x, int):
        if abs(x) < 10**21:
            return str(x)
        x = float(x)
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    if x == 0:
        return '0'
    sign = '-' if x < 0 else ''
    digits, exponent = _shortest(abs(x))
    # JavaScript: n is the position of the decimal point relative to the digits.
    k = len(digits)
    n = exponent + k
    if k <= n <= 21:
        return sign + digits + '0' * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + '.' + digits[n:]
    if -6 < n <= 0:
        return sign + '0.' + '0' * (-n) + digits
    e = n - 1
    mantissa = digits[0] + ('.' + digits[1:] if k > 1 else '')
    return sign + mantissa + 'e' + ('+' if e >= 0 else '-') + str(abs(e))


def _shortest(x):
    """Shortest decimal digits and exponent with float(digits + 'e' + exponent) == x."""
    text = repr(x)
    mantissa, _, exp = text.partition('e')
    exponent = int(exp) if exp else 0
    whole, _, frac = mantissa.partition('.')
    if frac == '0':
        frac = ''
    digits = (whole + frac).lstrip('0')
    exponent -= len(frac)
    stripped = digits.rstrip('0')
    exponent += len(digits) - len(stripped)
    return stripped or '0', exponent


def js_string(value):
    """`String(value)` for the JSON values features hold."""
    if isinstance(value, str):
        return value
    if value is None:
        return 'null'
    if isinstance(value, (bool, int, float)):
        return js_number(value)
    if isinstance(value, list):
        return ','.join('' if v is None else js_string(v) for v in value)
    return '[object Object]'


def js_entries(obj):
    """`Object.entries(obj)`: integer-like keys first in ascending order, then insertion order."""
    keys = list(obj.keys())
    index = sorted((k for k in keys if _ARRAY_INDEX.match(k) and int(k) < 2**32 - 1), key=int)
    rest = [k for k in keys if not (_ARRAY_INDEX.match(k) and int(k) < 2**32 - 1)]
    return [(k, obj[k]) for k in index + rest]


def _is_word_char(ch):
    return unicodedata.category(ch)[0] in 'LN'


def words(text):
    """`text.toLowerCase().match(/[\\p{L}\\p{N}]+/gu)`."""
    out = []
    current = []
    for ch in text.lower():
        if _is_word_char(ch):
            current.append(ch)
        elif current:
            out.append(''.join(current))
            current = []
    if current:
        out.append(''.join(current))
    return out


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def feature_tokens(features):
    """Field-prefixed tokens of an item's features, as `featureTokens` in features.ts."""
    if not features:
        return []
    tokens = []
    category = features.get('category')
    if category is not None:
        path = [category] if isinstance(category, str) else category
        prefix = ''
        for level in path:
            name = js_trim(js_string(level)).lower()
            if not name:
                continue
            tokens.append('c:' + name)
            prefix = prefix + '>' + name if prefix else name
            if prefix != name:
                tokens.append('cp:' + prefix)
    text = features.get('text')
    if isinstance(text, str):
        for word in words(text):
            if js_length(word) < 2:
                continue
            tokens.append('t:' + word)
            if _YEAR.match(word):
                tokens.append('y:' + word[:3] + '0s')
    brand = features.get('brand')
    if isinstance(brand, str) and js_trim(brand):
        tokens.append('b:' + js_trim(brand).lower())
    for tag in features.get('tags') or []:
        name = js_trim(js_string(tag)).lower()
        if name:
            tokens.append('g:' + name)
    for key, value in js_entries(features.get('attributes') or {}):
        name = js_trim(key).lower()
        for v in value if isinstance(value, list) else [value]:
            tokens.append('a:' + name + '=' + js_trim(js_string(v)).lower())
    price = features.get('price')
    if _is_number(price) and math.isfinite(price) and price >= 0:
        tokens.append('p:' + js_number(math.floor(math.log2(1 + price) * 2 + 0.5)))
    return tokens


# LIMITS in src/shared/limits.ts: what the engine reads of an item's features.
MAX_ID_LENGTH = 256
MAX_TEXT_LENGTH = 512
MAX_CATEGORIES = 16
MAX_TAGS = 64
MAX_ATTRIBUTES = 64


def _too_long(value):
    return isinstance(value, str) and js_length(value) > MAX_ID_LENGTH


def _cut_list(values, limit):
    kept = [v for v in values if not _too_long(v)][:limit]
    return kept, len(kept) < len(values)


def limit_features(features):
    """`limitFeatures` in src/shared/feature-limits.ts: category levels, tags and attribute values
    cut to their first entries within the limits, values over 256 characters left out, text cut to
    512 characters; the engine cuts what it is sent the same way, so the model learns what it sees.
    Returns the features and whether a list or value was cut (text is cut without telling)."""
    if not features:
        return features, False
    out = dict(features)
    cut = False
    category = features.get('category')
    if category is not None:
        path = [category] if isinstance(category, str) else list(category)
        out['category'], lost = _cut_list(path, MAX_CATEGORIES)
        cut = cut or lost
    brand = features.get('brand')
    if _too_long(brand):
        del out['brand']
        cut = True
    text = features.get('text')
    if isinstance(text, str) and js_length(text) > MAX_TEXT_LENGTH:
        out['text'] = js_slice(text, MAX_TEXT_LENGTH)
    tags = features.get('tags')
    if tags is not None:
        out['tags'], lost = _cut_list(list(tags), MAX_TAGS)
        cut = cut or lost
    attributes = features.get('attributes')
    if attributes is not None:
        kept, budget = {}, MAX_ATTRIBUTES
        for key, value in js_entries(attributes):
            values = value if isinstance(value, list) else [value]
            fitting = [v for v in values if not _too_long(v)]
            if _too_long(key) or len(fitting) < len(values) or len(fitting) > budget:
                cut = True
            if _too_long(key) or not fitting:
                continue
            if budget == 0:
                break
            fitting = fitting[:budget]
            budget -= len(fitting)
            kept[key] = fitting if isinstance(value, list) else fitting[0]
        out['attributes'] = kept
    return out, cut


def token_buckets(tokens, buckets, max_tokens, memo=None):
    """Hash buckets of tokens, de-duplicated in order, at most `max_tokens`; 1-based (0 pads)."""
    if buckets <= 1 or max_tokens <= 0:
        return []
    seen = {}
    for token in tokens:
        h = memo.get(token) if memo is not None else None
        if h is None:
            h = fnv1a(token)
            if memo is not None:
                memo[token] = h
        seen.setdefault(1 + h % (buckets - 1), None)
        if len(seen) >= max_tokens:
            break
    return list(seen)


def feature_buckets(features, buckets, max_tokens):
    """`featureBuckets` in features.ts."""
    return token_buckets(feature_tokens(features), buckets, max_tokens)


def js_sort_key(text):
    """Sort key of JavaScript's default string order (UTF-16 code units)."""
    return text.encode('utf-16-be', 'surrogatepass')
