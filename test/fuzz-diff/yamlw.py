"""A small YAML writer for the differential fuzzer: it writes the documents
gen.py builds, choosing the presentation (block or flow collections,
indented or indentless lists, plain or quoted scalars, block scalars,
anchors) at random, so that kgrender's loader sees the variety kustomize's
does. Values:
  dict, list          block collections (or flow, at random, when safe)
  str                 a scalar: plain when it is safe in every YAML version, else quoted
  int, float, bool, None   their plain tokens
  Raw(text)           a single-line scalar token written verbatim (tricky scalars)
  Block(header, lines)   a block scalar: header like '|', '>-', '|2+'; lines its content
  Flow(value)         a collection written in flow style
  Anchored(name, v)   &name before v;   Alias(name): *name
Only the standard library; deterministic for a given random.Random.
"""
import json
import re


class Raw(str):
    """A scalar token written as is; flow_ok says it may appear inside [..] / {..}."""

    def __new__(cls, text, flow_ok=None):
        r = str.__new__(cls, text)
        r.flow_ok = flow_ok if flow_ok is not None else not re.search(r'[,\[\]{}#]|: ', text) or text[:1] in '"\''
        return r


class Block:
    def __init__(self, header, lines):
        self.header, self.lines = header, list(lines)


class Flow:
    def __init__(self, value):
        self.value = value


class Anchored:
    def __init__(self, name, value):
        self.name, self.value = name, value


class Alias:
    def __init__(self, name):
        self.name = name


SPECIAL_WORDS = {'y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~', ''}
SAFE_PLAIN = re.compile(r'^[A-Za-z_][A-Za-z0-9_./-]*$')


def plain_safe(s):
    return bool(SAFE_PLAIN.match(s)) and s.lower() not in SPECIAL_WORDS and not re.match(r'^(\.inf|\.nan)', s.lower())


def quote(rng, s):
    """A quoted form of s that every YAML parser reads back as the string s."""
    if '\n' not in s and all(0x20 <= ord(c) < 0x7f or ord(c) >= 0xa0 for c in s) and rng.random() < 0.4:
        return "'" + s.replace("'", "''") + "'"
    # JSON's escapes are YAML double-quoted escapes too
    return json.dumps(s, ensure_ascii=rng.random() < 0.15)


class Writer:
    def __init__(self, rng, flow_rate=0.08, indentless_rate=0.5):
        self.rng, self.flow_rate, self.indentless_rate = rng, flow_rate, indentless_rate

    # -- scalars ------------------------------------------------------------
    def scalar(self, v, in_flow=False):
        if isinstance(v, Raw):
            if in_flow and not v.flow_ok:
                return quote(self.rng, str(v))
            return str(v)
        if isinstance(v, Alias):
            return '*' + v.name
        if v is None:
            return self.rng.choice(['null', 'null', '~', 'Null']) if not in_flow else 'null'
        if isinstance(v, bool):
            return 'true' if v else 'false'
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, Block):  # no block scalars in flow context
            return quote(self.rng, self.block_value(v))
        s = str(v)
        if plain_safe(s) and self.rng.random() < 0.85:
            return s
        return quote(self.rng, s)

    @staticmethod
    def block_value(b):
        """What a block scalar means: only used to quote one inside a flow collection."""
        text = '\n'.join(b.lines)
        if '-' in b.header:
            return text.rstrip('\n')
        return text.rstrip('\n') + '\n'

    def key(self, k):
        if isinstance(k, Raw):
            return str(k)
        s = str(k)
        if plain_safe(s) or re.match(r'^[A-Za-z0-9_][A-Za-z0-9_./-]*$', s) and not re.match(r'^[0-9+.-]', s):
            return s
        return quote(self.rng, s)

    # -- collections --------------------------------------------------------
    def flow_ok(self, v):
        if isinstance(v, dict):
            return all(not isinstance(k, Raw) or k.flow_ok for k in v) and all(self.flow_ok(x) for x in v.values())
        if isinstance(v, list):
            return all(self.flow_ok(x) for x in v)
        return not isinstance(v, (Anchored,))

    def inline(self, v):
        if isinstance(v, Flow):
            v = v.value
        if isinstance(v, dict):
            return '{' + ', '.join(self.key(k) + ': ' + self.inline(x) for k, x in v.items()) + '}'
        if isinstance(v, list):
            return '[' + ', '.join(self.inline(x) for x in v) + ']'
        return self.scalar(v, in_flow=True)

    def after_key(self, v, ind):
        """The text after 'key:' for value v of a key at indentation ind."""
        if isinstance(v, Anchored):
            inner = self.after_key(v.value, ind)
            return ' &' + v.name + inner
        if isinstance(v, Flow):
            return ' ' + self.inline(v.value)
        if isinstance(v, dict):
            if not v:
                return ' {}'
            if self.rng.random() < self.flow_rate and self.flow_ok(v):
                return ' ' + self.inline(v)
            return '\n' + self.mapping(v, ind + 2)
        if isinstance(v, list):
            if not v:
                return ' []'
            if self.rng.random() < self.flow_rate and self.flow_ok(v):
                return ' ' + self.inline(v)
            return '\n' + self.sequence(v, ind if self.rng.random() < self.indentless_rate else ind + 2)
        if isinstance(v, Block):
            return ' ' + self.block(v, ind)
        return ' ' + self.scalar(v)

    def block(self, b, ind):
        """Header and content of a block scalar whose parent is indented ind."""
        header = b.header
        content = ind + 2
        m = re.search(r'[1-9]', header)
        if m:
            content = ind + int(m.group(0))
        else:
            first = next((ln for ln in b.lines if ln.strip()), '')
            if first[:1] == ' ':  # a leading space needs an explicit indentation
                header = header[0] + '2' + header[1:]
                content = ind + 2
        out = [header]
        for ln in b.lines:
            out.append(' ' * content + ln if ln else '')
        return '\n'.join(out)

    def mapping(self, d, ind):
        lines = []
        for k, v in d.items():
            lines.append(' ' * ind + self.key(k) + ':' + self.after_key(v, ind))
        return '\n'.join(lines)

    def sequence(self, items, ind):
        lines = []
        for v in items:
            pre = ' ' * ind + '- '
            if isinstance(v, dict) and v and not isinstance(v, Flow):
                body = self.mapping(v, ind + 2)
                lines.append(pre + body[ind + 2:])
            elif isinstance(v, list) and v:
                body = self.sequence(v, ind + 2)
                lines.append(pre + body[ind + 2:])
            elif isinstance(v, Block):
                lines.append(pre + self.block(v, ind))
            elif isinstance(v, Anchored) and not isinstance(v.value, (dict, list)):
                lines.append(pre + '&' + v.name + ' ' + self.scalar(v.value))
            elif isinstance(v, (dict, list, Flow)):
                lines.append(pre + self.inline(v))
            else:
                lines.append(pre + self.scalar(v))
        return '\n'.join(lines)

    def document(self, v):
        if isinstance(v, dict) and v:
            return self.mapping(v, 0) + '\n'
        if isinstance(v, list) and v:
            return self.sequence(v, 0) + '\n'
        return self.inline(v) + '\n'


def to_json(v):
    """v as plain JSON data, or raise ValueError when it holds YAML-only tokens."""
    if isinstance(v, dict):
        return {str(k): to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    if isinstance(v, Flow):
        return to_json(v.value)
    if isinstance(v, Raw):
        return raw_json(v)
    if isinstance(v, (Block, Anchored, Alias)):
        raise ValueError('not JSON')
    return v


def raw_json(tok):
    """The JSON value of a token whose YAML 1.1 and 1.2 meanings agree, else ValueError."""
    s = str(tok)
    if s[:1] == "'" and s[-1:] == "'" and len(s) > 1:
        return s[1:-1].replace("''", "'")
    if s[:1] == '"':
        try:
            return json.loads(s)
        except ValueError:
            raise ValueError('not JSON')
    if s in ('true', 'false', 'null'):
        return {'true': True, 'false': False, 'null': None}[s]
    if re.match(r'^-?(0|[1-9][0-9]{0,15})$', s):
        return int(s)
    if re.match(r'^[A-Za-z][A-Za-z0-9 ._/-]*$', s) and s.lower() not in SPECIAL_WORDS:
        return s
    raise ValueError('not JSON')


def json_or_flow(rng, v, indent=None):
    """v as JSON text, or None when it holds YAML-only tokens."""
    try:
        return json.dumps(to_json(v), indent=indent, ensure_ascii=rng.random() < 0.3) + '\n'
    except ValueError:
        return None
