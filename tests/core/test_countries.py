"""Country codes and names: every usual spelling maps to one ISO3 code."""

from __future__ import annotations

import pytest

from exchange_eval.core.countries import country_key, country_name, known_codes, to_iso3
from exchange_eval.core.errors import DataError, UsageError

GPE_AND_DONORS = [
    "AFG", "BGD", "KHM", "HTI", "HND", "NPL", "PAK", "PNG", "TJK", "KGZ", "UZB", "YEM", "LAO",
    "MMR", "TLS", "NIC", "GUY", "BTN", "LKA", "MNG", "VNM", "GEO", "MDA", "UKR",
    "USA", "GBR", "FRA", "DEU", "CAN", "NOR", "SWE", "DNK", "NLD", "CHE", "JPN", "AUS", "BEL",
    "ITA", "ESP", "IRL", "FIN",
]
AFRICA = [
    "DZA", "AGO", "BEN", "BWA", "BFA", "BDI", "CPV", "CMR", "CAF", "TCD", "COM", "COG", "COD",
    "CIV", "DJI", "EGY", "GNQ", "ERI", "SWZ", "ETH", "GAB", "GMB", "GHA", "GIN", "GNB", "KEN",
    "LSO", "LBR", "LBY", "MDG", "MWI", "MLI", "MRT", "MUS", "MAR", "MOZ", "NAM", "NER", "NGA",
    "RWA", "STP", "SEN", "SYC", "SLE", "SOM", "ZAF", "SSD", "SDN", "TZA", "TGO", "TUN", "UGA",
    "ZMB", "ZWE",
]


def test_table_covers_africa_gpe_partners_and_donors():
    assert len(AFRICA) == 54
    assert set(AFRICA + GPE_AND_DONORS) <= set(known_codes())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Côte d’Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("COTE D IVOIRE", "CIV"),
        ("Ivory Coast", "CIV"),
        ("RDC", "COD"),
        ("DRC", "COD"),
        ("République démocratique du Congo", "COD"),
        ("Republique Democratique du Congo", "COD"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo, Dem. Rep.", "COD"),
        ("Congo-Kinshasa", "COD"),
        ("Congo", "COG"),
        ("Congo, Rep.", "COG"),
        ("Tchad", "TCD"),
        ("tchad ", "TCD"),
        ("Chad", "TCD"),
        ("Sénégal", "SEN"),
        ("senegal", "SEN"),
        ("SEN", "SEN"),
        ("sen", "SEN"),
        ("SN", "SEN"),
        ("Burkina", "BFA"),
        ("Guinée", "GIN"),
        ("Guinée-Bissau", "GNB"),
        ("Guinée équatoriale", "GNQ"),
        ("Niger", "NER"),
        ("Nigéria", "NGA"),
        ("Centrafrique", "CAF"),
        ("RCA", "CAF"),
        ("The Gambia", "GMB"),
        ("Gambia, The", "GMB"),
        ("São Tomé-et-Príncipe", "STP"),
        ("Sao Tome & Principe", "STP"),
        ("Cape Verde", "CPV"),
        ("Swaziland", "SWZ"),
        ("Lao PDR", "LAO"),
        ("Lao P.D.R.", "LAO"),
        ("Laos", "LAO"),
        ("Viet Nam", "VNM"),
        ("Vietnam", "VNM"),
        ("Kyrgyz Republic", "KGZ"),
        ("Burma", "MMR"),
        ("East Timor", "TLS"),
        ("Papouasie-Nouvelle-Guinée", "PNG"),
        ("Haïti", "HTI"),
        ("Yemen, Rep.", "YEM"),
        ("Moldova", "MDA"),
        ("U.S.A.", "USA"),
        ("United States of America", "USA"),
        ("États-Unis", "USA"),
        ("UK", "GBR"),
        ("Royaume-Uni", "GBR"),
        ("Allemagne", "DEU"),
        ("Pays-Bas", "NLD"),
        ("Suisse", "CHE"),
        ("Sénégal (SEN)", "SEN"),
        ("Republic of Côte d'Ivoire", "CIV"),
    ],
)
def test_to_iso3(value, expected):
    assert to_iso3(value) == expected


@pytest.mark.parametrize("value", [None, "", "  ", "Atlantis", "XYZ", "NA", "n/a", "Other", "Zanzibar", "Africa"])
def test_to_iso3_unknown(value):
    assert to_iso3(value) is None


def test_country_key_ignores_accents_order_punctuation_and_small_words():
    assert country_key("République démocratique du Congo") == "congo democratique republique"
    assert country_key("Congo (République démocratique du)") == country_key("République démocratique du Congo")


@pytest.mark.parametrize(
    ("code", "lang", "expected"),
    [
        ("CIV", "fr", "Côte d'Ivoire"),
        ("COD", "fr", "République démocratique du Congo"),
        ("COD", "en", "Democratic Republic of the Congo"),
        ("TCD", "fr", "Tchad"),
        ("tcd", "en", "Chad"),
        ("SEN", "fr", "Sénégal"),
        ("LAO", "en", "Lao PDR"),
        ("DEU", "fr", "Allemagne"),
    ],
)
def test_country_name(code, lang, expected):
    assert country_name(code, lang) == expected


def test_every_country_has_both_names_that_map_back():
    for code in known_codes():
        for lang in ("en", "fr"):
            assert to_iso3(country_name(code, lang)) == code


def test_country_name_errors():
    with pytest.raises(DataError, match="not a known ISO3"):
        country_name("XYZ")
    with pytest.raises(UsageError, match="'de'"):
        country_name("SEN", "de")


def test_user_table_adds_countries_and_variants(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "countries.yaml").write_text(
        "XKX: {iso2: XK, en: Kosovo, fr: Kosovo, aliases: [Kosova]}\n"
        "SEN: {iso2: SN, en: Senegal, fr: Sénégal, aliases: [Sunugaal]}\n",
        encoding="utf-8",
    )
    assert to_iso3("Kosova", data_dir=tmp_path) == "XKX"
    assert to_iso3("sunugaal", data_dir=tmp_path) == "SEN"
    assert to_iso3("Tchad", data_dir=tmp_path) == "TCD"  # package entries stay
    assert country_name("XKX", "fr", data_dir=tmp_path) == "Kosovo"
    assert to_iso3("Kosova") is None


def test_user_table_conflict_is_reported(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "countries.yaml").write_text(
        "XKX: {iso2: XK, en: Kosovo, fr: Kosovo, aliases: [Tchad]}\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="names both"):
        to_iso3("Kosovo", data_dir=tmp_path)
