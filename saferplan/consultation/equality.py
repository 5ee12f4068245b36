"""Equality monitoring questions, following the GOV.UK equality information pattern with the
Government Statistical Service (GSS) harmonised standards' categories.

Every question is optional and has "Prefer not to say". The answers are stored apart from the
survey answers (``EqualityResponse``), shown only in aggregate and deleted on the purge date.
"""
from __future__ import annotations

PREFER_NOT = "Prefer not to say"

# Census 2021 age bands of shared/data/population/census2021_lsoa21_age6.csv, in order, with
# the label the question uses for each.
CENSUS_AGE_BANDS = [
    ("Aged 15 years and under", "Under 16"),
    ("Aged 16 to 24 years", "16 to 24"),
    ("Aged 25 to 34 years", "25 to 34"),
    ("Aged 35 to 49 years", "35 to 49"),
    ("Aged 50 to 64 years", "50 to 64"),
    ("Aged 65 years and over", "65 or over"),
]

QUESTIONS = [
    {"code": "age", "text": "What is your age?", "label": "Age band",
     "options": [label for _, label in CENSUS_AGE_BANDS] + [PREFER_NOT]},
    {"code": "sex", "text": "What is your sex?", "label": "Sex",
     "options": ["Female", "Male", PREFER_NOT]},
    {"code": "gender_identity", "label": "Gender identity",
     "text": "Is the gender you identify with the same as your sex registered at birth?",
     "options": ["Yes", "No", PREFER_NOT]},
    {"code": "sexual_orientation", "label": "Sexual orientation",
     "text": "Which of the following best describes your sexual orientation?",
     "options": ["Straight or heterosexual", "Gay or lesbian", "Bisexual", "Other sexual orientation", PREFER_NOT]},
    {"code": "ethnic_group", "label": "Ethnic group", "text": "What is your ethnic group?",
     "options": [
         "Asian or Asian British: Indian",
         "Asian or Asian British: Pakistani",
         "Asian or Asian British: Bangladeshi",
         "Asian or Asian British: Chinese",
         "Asian or Asian British: any other Asian background",
         "Black, Black British, Caribbean or African: Caribbean",
         "Black, Black British, Caribbean or African: African",
         "Black, Black British, Caribbean or African: any other Black, Black British or Caribbean background",
         "Mixed or multiple ethnic groups: White and Black Caribbean",
         "Mixed or multiple ethnic groups: White and Black African",
         "Mixed or multiple ethnic groups: White and Asian",
         "Mixed or multiple ethnic groups: any other Mixed or multiple ethnic background",
         "White: English, Welsh, Scottish, Northern Irish or British",
         "White: Irish",
         "White: Gypsy or Irish Traveller",
         "White: Roma",
         "White: any other White background",
         "Other ethnic group: Arab",
         "Other ethnic group: any other ethnic group",
         PREFER_NOT,
     ]},
    {"code": "religion", "label": "Religion", "text": "What is your religion?",
     "options": [
         "No religion",
         "Christian (including Church of England, Catholic, Protestant and all other Christian denominations)",
         "Buddhist", "Hindu", "Jewish", "Muslim", "Sikh", "Any other religion", PREFER_NOT,
     ]},
    {"code": "disability", "label": "Disability",
     "text": "Do you have any physical or mental health conditions or illnesses lasting or expected to last "
             "12 months or more?",
     "options": ["Yes", "No", PREFER_NOT]},
]

BY_CODE = {q["code"]: q for q in QUESTIONS}


def clean_answers(data: dict) -> dict:
    """Only known questions and their own options survive; anything else is dropped."""
    cleaned = {}
    for q in QUESTIONS:
        value = data.get(q["code"])
        if value in q["options"]:
            cleaned[q["code"]] = value
    return cleaned
