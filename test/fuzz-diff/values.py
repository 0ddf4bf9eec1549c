"""Tricky scalar values for the differential fuzzer: strings that YAML 1.1
(go-yaml v2, kustomize's output and kustomization decoding) and YAML 1.2
(yaml.v3, kustomize's object decoding) type differently, numbers in every
notation, timestamps, block scalars with every chomping indicator, unicode,
special characters, long strings, empty values, flow collections."""
from yamlw import Raw, Block, Flow

# single-line tokens, written verbatim as a value
TOKENS = [
    # booleans and nulls of both YAML versions, plain and quoted
    'yes', 'no', 'Yes', 'NO', 'on', 'off', 'On', 'OFF', 'y', 'n', 'Y', 'N', 'true', 'false', 'True', 'FALSE',
    'null', 'Null', 'NULL', '~', "'yes'", '"no"', "'on'", '"y"', "'true'", '"null"', "'~'", "''", '""',
    # integers
    '0', '-0', '+0', '00', '007', '0o17', '0O17', '0x1F', '0X1f', '0xff', '0b101', '1_000', '+12', '-12',
    '9223372036854775807', '9223372036854775808', '-9223372036854775809', '123456789012345678901234567890',
    # floats
    '1e3', '1E3', '1.0e+3', '6.02e23', '.5', '5.', '-.5', '0.1', '1.10', '3.14159265358979323846',
    '2.5e-07', '100.0', '1.0', '-0.0', 'NaN', 'inf',
    # sexagesimal (YAML 1.1)
    '1:20', '1:20:30.5', '190:20:30', '-1:30',
    # timestamps
    '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2002-12-14T21:59:43Z',
    '2024-02-30', '1999-1-1', "'2001-12-14'", '"2002-12-14T21:59:43Z"', '2001-12-14T21:59:43.123456789Z',
    # numbers and words quoted
    '"0o17"', "'0x1F'", '"1e3"', "'012'", '"1_000"', "'1.0'", '"+12"', "'.inf'",
    # unicode
    'héllo', '日本語', '"emoji 😀"', '"\\u00e9t\\u00e9"', '"\\U0001F600"', 'Ünïcödé wörds', "'ελληνικά'",
    '"\\u2028sep"', '"nel\\u0085x"', '"\\x41\\x42"',
    # whitespace and escapes
    '"\\t tab"', '"a\\nb"', '"a\\n"', '"\\nlead"', '" lead"', '"trail "', "'  two'", '"a\\\\b"', '"tab\\there"',
    '"cr\\rx"', "'it''s'", '"say \\"hi\\""',
    # indicators and special characters
    '"a: b"', "'a #b'", '"#x"', "'@at'", '"`tick"', "'%pct'", '"!bang"', "'&amp'", '"*star"', "'- dash'",
    '"? q"', "'[x]'", '"{x}"', "'a,b'", '"x: "', "'|pipe'", '">gt"', '"="', "'<<'", 'a-b_c.d', 'foo/bar',
    'a b c', 'x=y', 'key:value', 'a:b:c', 'https://example.com/a?b=c&d=e', '50%', '$HOME', '$(VAR)', "'@'",
    'C:\\path', '-dash', '.dot', 'a#b', 'f(x)', 'a;b', '~tilde', '0.0.0.0/0', '10.0.0.1:8080',
    # long strings
    'x' * 120, "'" + 'word ' * 30 + "end'", '"' + 'long ' * 40 + 'line"',
    'plain words that go on for a while and then some more words to pass eighty columns easily here',
]

# infinities and NaNs: kustomize cannot write them as JSON and fails, so they are rare
# control characters: kustomize's output writer refuses them
FATAL_TOKENS = ['.inf', '-.inf', '.Inf', '+.INF', '.nan', '.NaN', '1e400', '"del\\u007fx"', '"zero\\0x"', '"bell\\a"']

FLOWS = [
    Flow([]), Flow({}), Flow(['a', 'b']), Flow([Raw('1'), Raw('true'), Raw('null')]),
    Flow({'a': Raw('1'), 'b': ['x', Raw('yes')]}), Flow([Raw("'x, y'"), Raw('"[z]"')]),
]

BLOCK_TEXTS = [
    ['line one', 'line two'],
    ['single'],
    ['a', '', 'b'],
    ['first', '  indented more', 'back'],
    ['  starts indented', 'normal'],
    ['trailing blank', ''],
    ['two trailing blanks', '', ''],
    ['', 'leading blank'],
    ['tab\there', 'x'],
    ['spaces at end   ', 'x'],
    ['key: value', '- item', '# not a comment'],
    ['ünï', '日本'],
    ['#!/bin/sh', 'echo "$HOME"', 'exit 0'],
    ['{"json": [1, 2]}'],
    ['para one', 'still one', '', 'para two', '   more', 'end'],
    ['x' * 100 + ' ' + 'y' * 30],
    ['word ' * 25],
    ['a', '', '', 'b', ''],
]
HEADERS = ['|', '|-', '|+', '>', '>-', '>+', '|2', '>2', '|-2', '>+2']


def block(rng):
    return Block(rng.choice(HEADERS), rng.choice(BLOCK_TEXTS))


def oops(rng, p):
    """True with probability p for a choice that makes kustomize fail: at full
    rate in "wild" trees (rng.wild, a quarter of them), a tenth of it in the
    rest, so that most trees build and their output is compared."""
    return rng.random() < (p if getattr(rng, 'wild', True) else p / 10)


def tricky(rng, allow_collections=True):
    """Any tricky value."""
    r = rng.random()
    if oops(rng, 0.01):
        return Raw(rng.choice(FATAL_TOKENS))
    if r < 0.7:
        return Raw(rng.choice(TOKENS))
    if r < 0.88:
        return block(rng)
    if allow_collections and r < 0.95:
        return rng.choice(FLOWS)
    return rng.choice(['plain', 'value-' + str(rng.randint(0, 999)), '', 'with space', 'ü'])


def tricky_string_value(rng):
    """A value that kustomize's string-only places (labels, annotations,
    ConfigMap data) may hold: tricky, but never a collection."""
    return tricky(rng, allow_collections=False)


KEY_TOKENS = ['a', 'b.c', 'x_y', 'UPPER', 'key-1', '"2"', "'true'", '"yes"', 'on', '"null"', '"a b"',
              '"x:y"', 'ü', '"0o17"', '"1e3"', '"-"', '"."', 'a.b.c', 'k8s.io/name', '"with/slash"', '"_u"']


def tricky_key(rng):
    if oops(rng, 0.05):
        return Raw(rng.choice(['1', '0x10', 'true', '~', '1.5']))  # keys that are not strings
    return Raw(rng.choice(KEY_TOKENS))


def kval(rng, p_raw=0.1):
    """A tricky value for a string field of a kustomization (labels,
    annotations, tags, namespaces): kustomize decodes those strictly as
    strings, so most are written quoted; a few stay as typed tokens, which
    kustomize rejects (an error path both tools must share)."""
    v = tricky_string_value(rng)
    if not isinstance(v, Raw) or oops(rng, p_raw) or v[:1] in '"\'':
        return v
    return str(v)  # the writer quotes it unless plain is safe
