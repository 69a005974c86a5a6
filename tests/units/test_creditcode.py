import pytest

from units import creditcode
from units.creditcode import check_character, error, make, normalize


pytestmark = pytest.mark.usefixtures("english")

# Real-format codes whose check characters were verified.
VALID = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91110108551385082Q",
    "91440300708461136T",
    "914403001922038216",
    "91330100716105852F",
    "91110000802100433B",
    "12100000400000624D",
]

LENGTH = "must be 18 characters"
CHARSET = "contains a character not allowed in a credit code"
AUTHORITY = "registration authority code (first character) is invalid"
DIVISION = "characters 3 to 8 must be an administrative division code (digits)"


def mismatch(expected):
    return f"check character does not match (expected {expected})"


@pytest.mark.parametrize("code", VALID)
def test_real_codes_are_valid(code):
    assert error(code) is None
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        # Worked by hand: only position 1 ("1", value 1, weight 1) counts: 31 - 1 = 30 → "Y".
        ("10000000000000000", "10000000000000000Y"),
        # 1×1 + "A"(10)×3 = 31 ≡ 0 → (31 - 0) % 31 = 0 → "0".
        ("1A000000000000000", "1A0000000000000000"),
        # 9×1 + 1×3 = 12 → 31 - 12 = 19 → "K" (charset index 19).
        ("91000000000000000", "91000000000000000K"),
        ("91350100M000100Y4", "91350100M000100Y43"),
        ("91110000600037341", "91110000600037341L"),
    ],
)
def test_make_appends_the_check_character(first17, expected):
    assert make(first17) == expected
    assert error(expected) is None


@pytest.mark.parametrize(
    "first17",
    ["91440101MA5AAAAA0", "Y1440300MA5EYDP6A", "A2110108551385082", "N3310000QWERTYUPL", "5999999999999999X"],
)
def test_made_codes_are_valid(first17):
    code = make(first17)
    assert len(code) == 18 and code.startswith(first17)
    assert error(code) is None


def test_make_accepts_lower_case():
    assert make("91350100m000100y4") == "91350100M000100Y43"


@pytest.mark.parametrize(
    "first17",
    ["9135010", "91350100M000100Y43", "B1350100M000100Y4", "91A50100M000100Y4", "91350100I000100Y4"],
)
def test_make_refuses_what_cannot_become_valid(first17):
    with pytest.raises(ValueError):
        make(first17)


@pytest.mark.parametrize("first17", ["", "9135010", "91350100M000100Y43", "91350100O000100Y4"])
def test_check_character_needs_17_charset_characters(first17):
    with pytest.raises(ValueError):
        check_character(first17)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("91350100m000100y43", "91350100M000100Y43"),
        ("  91110000600037341l\n", "91110000600037341L"),
        ("\t91350100M000100Y43 ", "91350100M000100Y43"),
    ],
)
def test_lower_case_and_whitespace_are_normalized(raw, normalized):
    assert normalize(raw) == normalized
    assert error(raw) is None


@pytest.mark.parametrize(
    "code",
    ["", "9135010", "91350100M000100Y4", "91350100M000100Y433", "91350100M000100Y43 0", "9" * 30],
)
def test_wrong_length(code):
    assert error(code) == LENGTH


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
@pytest.mark.parametrize("position", [8, 16, 17])
def test_forbidden_letters(letter, position):
    code = list("91350100M000100Y43")
    code[position] = letter
    assert error("".join(code)) == CHARSET


@pytest.mark.parametrize("code", ["91350100M000-00Y43", "91350100M000100Y4*", "9135010０M000100Y43"])
def test_other_forbidden_characters(code):
    assert error(code) == CHARSET


@pytest.mark.parametrize("first", ["0", "B", "C", "X", "W"])
def test_bad_registration_authority(first):
    first17 = first + "1350100M000100Y4"
    # The right check character, so the first character is the only defect.
    assert error(first17 + check_character(first17)) == AUTHORITY


@pytest.mark.parametrize("first", list("123456789ANY"))
def test_every_registration_authority_is_accepted(first):
    assert error(make(first + "1350100M000100Y4")) is None


@pytest.mark.parametrize(
    "first17", ["91A50100M000100Y4", "9135010AM000100Y4", "91Y50100M000100Y4", "91ABCDEFM000100Y4"]
)
def test_division_code_must_be_digits(first17):
    assert error(first17 + check_character(first17)) == DIVISION


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("91350100M000100Y44", "3"),
        ("91350100M000100Y40", "3"),
        ("91110000600037341K", "L"),
        ("914403001922038210", "6"),
        ("10000000000000000X", "Y"),
        ("1A00000000000000001", None),  # 19 characters: a length error, not a check error
    ],
)
def test_wrong_check_character(code, expected):
    if expected is None:
        assert error(code) == LENGTH
    else:
        assert error(code) == mismatch(expected)


def test_every_reason_is_distinct():
    reasons = [
        error("9135010"),
        error("91350100M000100YI3"),
        error("B1350100M000100Y4" + check_character("B1350100M000100Y4")),
        error("91A50100M000100Y4" + check_character("91A50100M000100Y4")),
        error("91350100M000100Y44"),
    ]
    assert reasons == [LENGTH, CHARSET, AUTHORITY, DIVISION, mismatch("3")]
    assert len(set(reasons)) == 5


def test_charset_and_weights():
    assert len(creditcode.CHARSET) == 31
    assert not set("IOZSV") & set(creditcode.CHARSET)
    assert creditcode.WEIGHTS == tuple(pow(3, i, 31) for i in range(17))


def test_reasons_also_work_inside_app_contexts():
    import flask
    import flask_babel

    app = flask.Flask(__name__)
    with app.app_context():  # Flask-Babel not set up: English text
        assert error("91350100M000100Y44") == mismatch("3")
    flask_babel.Babel(app)
    with app.test_request_context():
        assert error("91350100M000100Y44") == mismatch("3")
        assert error("9135010") == LENGTH
