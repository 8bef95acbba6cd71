"""Each rule, flagged and not flagged. Clean captions are real COCO captions."""

import json

import pytest

from datasets_registry.captions import clip_tokens
from datasets_registry.captions.clip_tokens import count_tokens, count_tokens_whole, encode

from .helpers import COCO, flagged, row, run

CLEAN = [
    "A black Honda motorcycle parked in front of a garage.",
    "A giraffe stands alone outdoors at the zoo.",
    "Two people on a beach flying a kite.",
    "A woman wearing a hat & pink top takes a selfie in front of a bathroom mirror.",
]


def check(tmp_path, rule, bad, good=CLEAN, rules=None, **row_kwargs):
    rows = [row(t, **row_kwargs) for t in good] + [row(t, **row_kwargs) for t in bad]
    result = run(tmp_path, rows, rules)
    hits = flagged(result, rule)
    assert hits == list(range(len(good) + 1, len(good) + len(bad) + 1)), result.issues
    return result


def test_clean_captions_raise_nothing(tmp_path):
    result = run(tmp_path, [row(t, image=f"val/{i}.jpg") for i, t in enumerate(CLEAN)])
    assert result.issues == []
    assert result.counts == {"by_rule": {}, "by_severity": {"error": 0, "warning": 0}}


def test_caption_missing(tmp_path):
    result = check(tmp_path, "caption_missing", [None, 42, ["a", "list"]])
    messages = [i["message"] for i in result.issues if i["rule"] == "caption_missing"]
    assert messages == [
        "The row has no caption.",
        "The caption is a int, not text.",
        "The caption is a list, not text.",
    ]


def test_caption_missing_when_the_key_is_absent(tmp_path):
    result = run(tmp_path, [row(CLEAN[0]), {"file_name": "a.jpg", "license": "MIT"}])
    assert flagged(result, "caption_missing") == [2]


def test_caption_empty(tmp_path):
    check(tmp_path, "caption_empty", ["", "   ", "\t\n"])


def test_caption_too_short_and_too_long(tmp_path):
    check(tmp_path, "caption_too_short", ["A dog.", "cat", "Big bus"])
    check(tmp_path, "caption_too_long", ["word " * 201 + "end", "x" * 1001])
    rules = {"rules": {"caption_too_long": {"max_chars": 45}}}
    check(tmp_path, "caption_too_long", [CLEAN[0]], good=CLEAN[1:3], rules=rules)


def test_clip_token_limit_counts_real_clip_tokens(tmp_path):
    assert encode("A black Honda motorcycle parked in front of a garage.") == [
        49406, 320, 1449, 8553, 10297, 16487, 530, 2184, 539, 320, 8474, 269, 49407,
    ]  # fmt: skip
    long_caption = " ".join(["A large brown dog runs happily across the green park"] * 8)
    assert count_tokens([long_caption]) == [8 * 10 + 2]
    exactly_77 = " ".join(["dog"] * 75)
    assert count_tokens([exactly_77]) == [77]
    result = check(
        tmp_path, "clip_token_limit", [long_caption, exactly_77 + " dog"], good=[*CLEAN, exactly_77]
    )
    assert (
        "82 CLIP tokens"
        in next(i for i in result.issues if i["rule"] == "clip_token_limit")["message"]
    )


def test_clip_token_counts_by_part_match_whole_text_encoding(monkeypatch):
    # count_tokens adds up cached counts of the space-separated parts: it must equal encoding the
    # whole text, whatever the whitespace, case, composition or punctuation around the spaces.
    tricky = [
        "",
        " ",
        "  double  spaces  ",
        "tab\tand\nnewline\u2028and\u3000ideographic\u00a0nbsp",
        "e \u0301 combining after a space, e\u0301 composed",
        "ΟΔΟΣ ΣΟΦΟΣ Σ σ ς",
        "İstanbul ıIiİ",
        "it's they're we've I'm you'll he'd 's 't",
        "<|startoftext|> <|endoftext|>x",
        "日本語 のキャプション 😀 🐕🐕",
        "12345 6.78 9,000",
        "Ⅻ ½ ² ﬁ K Ω ǅ",
        "a\u0085b \u180ec \u200bd \ufeffe",
    ]
    texts = [*[json.loads(line)["text"] for line in COCO.open()][:3000], *tricky]
    assert count_tokens(texts) == count_tokens_whole(texts)
    monkeypatch.setattr(clip_tokens, "_PART_COUNTS", {})
    monkeypatch.setattr(clip_tokens, "_PART_CACHE_MAX", 50)  # cleared on the way: still exact
    assert count_tokens(texts[:500]) == count_tokens_whole(texts[:500])
    assert len(clip_tokens._PART_COUNTS) <= 50
    # A call that finds the cache full, with parts it holds and parts it does not.
    monkeypatch.setattr(clip_tokens, "_PART_COUNTS", {})
    monkeypatch.setattr(clip_tokens, "_PART_CACHE_MAX", 4)
    assert count_tokens(["a dog runs"]) == count_tokens_whole(["a dog runs"])
    assert count_tokens(["a dog sleeps now"]) == count_tokens_whole(["a dog sleeps now"])
    assert len(clip_tokens._PART_COUNTS) <= 4


def test_language_only_when_the_rule_set_restricts_it(tmp_path):
    french = "Un chat noir dort sur le canapé rouge du salon pendant la journée."
    german = "Ein großer Hund läuft über die grüne Wiese neben dem alten Haus."
    assert flagged(run(tmp_path, [row(french)]), "language_not_allowed") == []
    check(tmp_path, "language_not_allowed", [french, german], rules={"allowed_languages": ["en"]})


def test_stray_whitespace_and_newlines(tmp_path):
    check(
        tmp_path,
        "stray_whitespace",
        [" A dog on a sofa.", "A dog on a sofa. ", "A dog  on a sofa.", "A dog\ton a sofa."],
    )
    check(tmp_path, "embedded_newline", ["A dog on a sofa.\n", "A dog\non a sofa."])


def test_control_characters_and_mojibake(tmp_path):
    check(
        tmp_path,
        "control_characters",
        ["A dog\x00 on a sofa.", "A dog\x1b[31m on a sofa.", "A dog\u200b on a sofa."],
    )
    check(
        tmp_path,
        "mojibake",
        [
            "A cafÃ© with tables outside.",
            "The dogâ€™s ball on the grass.",
            "A caf\ufffd with tables.",
        ],
        good=[*CLEAN, "A café in Zürich with crème brûlée — naïve façade."],
    )


def test_duplicates_across_the_file_name_the_first_row(tmp_path):
    rows = [row(t) for t in CLEAN] + [
        row(CLEAN[1]),
        row("two PEOPLE on a beach, flying a kite!!"),
        row(CLEAN[1]),
    ]
    result = run(tmp_path, rows)
    dups = [(i["row"], i["message"]) for i in result.issues if i["rule"] == "duplicate_caption"]
    assert dups == [
        (5, "The same caption appears in row 2."),
        (7, "The same caption appears in row 2."),
    ]
    near = [
        (i["row"], i["message"]) for i in result.issues if i["rule"] == "near_duplicate_caption"
    ]
    assert near == [(6, "Ignoring case, spacing and punctuation, this caption repeats row 3.")]


def test_duplicate_images_when_enabled(tmp_path):
    rows = [
        row(CLEAN[0], image="a.jpg"),
        row(CLEAN[1], image="b.jpg"),
        row(CLEAN[2], image="a.jpg"),
    ]
    assert flagged(run(tmp_path, rows), "duplicate_image") == []  # off by default
    result = run(tmp_path, rows, {"rules": {"duplicate_image": {"enabled": True}}})
    assert flagged(result, "duplicate_image") == [3]


def test_placeholders(tmp_path):
    check(
        tmp_path,
        "placeholder_caption",
        [
            "image",
            "Untitled",
            "no caption",
            "N/A",
            "IMG_1234.JPG",
            "DSC01234",
            "Lorem ipsum dolor sit amet, consectetur.",
            "...",
        ],
        good=[*CLEAN, "An image of a cat sitting on a laptop keyboard.", "A photo of a bus."],
    )


def test_placeholder_candidates_from_the_combined_pass_miss_no_placeholder(tmp_path):
    # The engine checks PLACEHOLDER only on captions the combined regex pass picked (or with
    # non-ASCII characters); it must flag exactly what PLACEHOLDER flags on every trimmed,
    # lower-cased caption.
    import itertools

    import pyarrow as pa
    import pyarrow.compute as pc

    from datasets_registry.captions.rules import PLACEHOLDER

    cores = ["image", "N/A", "na", "No Caption", "IMG_1234.JPG", "dsc 0042 beach", "my cat.png",
             "Lorem IPSUM dolor", "...", "-_-", "test.", "A photo of a dog.", "İMAGE", "ＩＭＡＧＥ",
             "imagе", "Kelvin K", "photo123", "PHOTO_12", "untitled!"]  # fmt: skip
    edges = ["", " ", "\t", "\x0b", "\x1c", "\u00a0", "\u3000", "\n"]
    texts = [f"{a}{core}{b}" for core in cores for a, b in itertools.product(edges, repeat=2)]
    texts += [json.loads(line)["text"] for line in COCO.open()][:2000]
    array = pa.array(texts)
    trimmed = pc.utf8_trim_whitespace(array)
    expected = pc.and_(
        pc.match_substring_regex(pc.utf8_lower(trimmed), PLACEHOLDER),
        pc.greater(pc.utf8_length(trimmed), 0),
    ).to_pylist()
    result = run(tmp_path, [row(t) for t in texts])
    assert flagged(result, "placeholder_caption") == [
        i + 1 for i, hit in enumerate(expected) if hit
    ]
    assert sum(expected) > 300


def test_personal_information_and_markup(tmp_path):
    check(
        tmp_path,
        "contains_url",
        ["A dog, see https://example.com/dog.", "Visit www.dogs.org for more dogs."],
    )
    check(tmp_path, "contains_email", ["Contact jane.doe@example.com for the photo."])
    check(
        tmp_path,
        "contains_phone",
        ["Call 555-123-4567 for prints.", "Call +44 20 7946 0958 now.", "Ring (555) 123-4567."],
        good=[
            *CLEAN,
            "A clock showing 10:30 and a sign for route 66.",
            "The 2012 team photo with 11 players.",
        ],
    )
    check(
        tmp_path,
        "contains_markup",
        ["A <b>bold</b> dog.", "A dog &amp; a cat.", "A [url=x]dog[/url].", "A [dog](http://x)."],
        good=[*CLEAN, "A sign that says 5 < 6 and a dog."],
    )


def test_repetition(tmp_path):
    check(
        tmp_path,
        "repetition",
        ["A dog dog dog on a sofa.", "a red car a red car a red car parked"],
        good=[*CLEAN, "A very very big dog.", "A man and a man and a woman."],
    )


def test_banned_terms(tmp_path):
    rules = {"banned_terms": ["badword", "two words"]}
    result = check(
        tmp_path,
        "banned_term",
        ["A BADWORD dog.", "It has two words here."],
        good=[*CLEAN, "A badwords dog."],
        rules=rules,
    )
    assert "'BADWORD'" in next(i["message"] for i in result.issues if i["rule"] == "banned_term")


def test_licences(tmp_path):
    rows = [
        row(CLEAN[0], license=x)
        for x in (
            "CC-BY-4.0",
            "MIT OR Apache-2.0",
            "LicenseRef-Flickr-No-Known-Copyright-Restrictions",
            "",
            "not-a-licence",
            None,
        )
    ]
    result = run(tmp_path, rows)
    assert flagged(result, "license_missing") == [4, 6]
    assert flagged(result, "license_invalid") == [5]
    result = run(tmp_path, rows, {"allowed_licenses": ["CC-BY-4.0"]})
    assert flagged(result, "license_not_allowed") == [2, 3]


def test_image_references(tmp_path):
    images = [
        "val2017/0001.jpg",
        "http://images.cocodataset.org/val2017/1.jpg",
        "https://x.org/img?id=3",
        "",
        None,
        "../etc/passwd.jpg",
        "/abs/path.png",
        "no extension",
        "photo.txt",
        "HTTPS://x.org/a/../b.jpg",  # ".." is fine in a URL
        "a/b..c.jpg",  # not in a path
        "s3://bucket/..",
    ]
    result = run(tmp_path, [row(CLEAN[0] + f" {i}", image=img) for i, img in enumerate(images)])
    assert flagged(result, "image_missing") == [4, 5]
    assert flagged(result, "image_malformed") == [6, 7, 8, 9, 11]


def test_issue_shape_and_highlight(tmp_path):
    from datasets_registry.captions.rules import find_span

    result = run(tmp_path, [row("A dog, see https://example.com/dog now.")])
    issue = next(i for i in result.issues if i["rule"] == "contains_url")
    assert set(issue) == {"row", "rule", "severity", "message", "value"}
    start, end = find_span(issue["rule"], issue["value"])
    assert issue["value"][start:end] == "https://example.com/dog"
    assert find_span("banned_term", "A BADWORD dog", ["badword"]) == (2, 9)
    assert find_span("stray_whitespace", "A dog ") == (5, 6)
    assert find_span("caption_empty", "") is None


def test_severities_come_from_the_rule_set(tmp_path):
    rules = {
        "rules": {"stray_whitespace": {"severity": "error"}, "embedded_newline": {"enabled": False}}
    }
    result = run(tmp_path, [row("A dog on a sofa.\n")], rules)
    assert [(i["rule"], i["severity"]) for i in result.issues] == [("stray_whitespace", "error")]
    assert result.counts["by_severity"] == {"error": 1, "warning": 0}


@pytest.mark.skipif(not COCO.exists(), reason="needs shared/data")
def test_real_coco_captions(tmp_path):
    """README: ~3,800 with stray whitespace, 83 with newlines, 224 case/space repeats; nothing else."""
    from datasets_registry.captions import validate_file

    result = validate_file(str(COCO))
    by_rule = result.counts["by_rule"]
    assert result.rows == 25014
    assert set(by_rule) == {
        "stray_whitespace",
        "embedded_newline",
        "duplicate_caption",
        "near_duplicate_caption",
    }
    assert 3700 <= by_rule["stray_whitespace"] <= 3900
    assert by_rule["embedded_newline"] == 83
    assert 224 <= by_rule["duplicate_caption"] + by_rule["near_duplicate_caption"] <= 260
    assert not result.has_errors
    texts = [json.loads(line)["text"] for line in COCO.open()]
    assert max(count_tokens(texts)) <= 77


def test_rules_on_distinct_values_find_exactly_what_rules_on_every_row_find(tmp_path, monkeypatch):
    # Batches with repeated captions run the rules once per distinct caption and gather the
    # verdicts back to the rows; both ways must report the same issues and messages.
    from datasets_registry.captions import rules as rules_module

    texts = [json.loads(line)["text"] for line in COCO.open()][:400]
    odd = [
        "",
        "   ",
        "dog dog dog dog on a sofa",
        "Visit www.example.com for a dog.",
        "A caf\ufffd with tables.",
        "IMG_1234",
        "A dog\u200b on a sofa.",
        " ".join(["A large brown dog runs happily across the green park"] * 8),
        "Un chat noir dort sur le canapé rouge du salon pendant la journée.",
        "a banned word in a caption, twice",
    ]
    rows = []
    for i in range(1200):
        text = (texts + odd)[(i * 7) % (len(texts) + len(odd))]
        image = ["a.jpg", "b.png", "../c.jpg", "", "d.txt", f"e{i % 50}.jpg"][i % 6]
        rows.append(row(text, image) if i % 97 else row(None) if i % 2 else row(12, None))
    rule_set = {
        "allowed_languages": ["en"],
        "banned_terms": ["banned word"],
        "rules": {"duplicate_image": {"enabled": True}},
    }
    results = {}
    for share in (0.0, 1.0):  # never / always on distinct values
        monkeypatch.setattr(rules_module, "DISTINCT_SHARE", share)
        results[share] = run(tmp_path, rows, rules=rule_set)
    assert results[0.0].issues == results[1.0].issues
    assert results[0.0].counts == results[1.0].counts
    assert {i["rule"] for i in results[1.0].issues} >= {
        "caption_empty",
        "caption_missing",
        "repetition",
        "contains_url",
        "clip_token_limit",
        "language_not_allowed",
        "banned_term",
        "duplicate_caption",
        "placeholder_caption",
        "image_missing",
        "image_malformed",
        "duplicate_image",
    }


def test_the_domain_of_an_e_mail_address_is_not_a_web_address(tmp_path):
    """Issue 16, defect 9: ``jo@example.org`` is an e-mail address, and only that."""
    from datasets_registry.captions.rules import find_span

    emails = ["Contact jo@example.org for prints.", "Mail jo.smith@mail.example.com today."]
    urls = [
        "Visit dogs.org for more.",
        "See mail.google.com for the album.",
        "jo@example.org wrote: see www.dogs.org",
        "Photo from example.com/dogs, by jo@example.org",
        "dogs.org",
    ]
    check(tmp_path, "contains_url", urls, good=[*CLEAN, *emails])
    check(tmp_path, "contains_email", emails)
    assert find_span("contains_url", "See mail.google.com now") == (4, 19)
    assert find_span("contains_url", "Contact jo@example.org") is None
    value = "Photo from example.com/dogs, by jo@example.org"
    start, end = find_span("contains_url", value)
    assert value[start:end] == "example.com/dogs,"
