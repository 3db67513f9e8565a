"""Names and ethnicity mix for the demo school: British names from many backgrounds.

The pools deliberately include what real rolls contain and importers trip over: accents
(Zoë, Renée, Chloé, Łukasz), apostrophes (O'Brien, D'Souza), hyphens (Mary-Jane, Smith-Jones)
and names written in several parts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NamePool:
    """First names (girls, boys) and surnames that go together for one background."""

    girls: tuple[str, ...]
    boys: tuple[str, ...]
    surnames: tuple[str, ...]


# Hand-laid tables: one element per line would make them unreadable.
# fmt: off
BRITISH = NamePool(
    girls=(
        "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
        "Grace", "Freya", "Poppy", "Evie", "Ella", "Charlotte", "Emily", "Daisy", "Sienna",
        "Harper", "Ruby", "Florence", "Matilda", "Elsie", "Phoebe", "Millie", "Chloé", "Zoë",
        "Renée", "Mary-Jane", "Lily-Mae", "Ellie-Rose", "Jessica", "Hannah", "Megan", "Niamh",
        "Holly", "Lucy", "Katie", "Bethany", "Abigail", "Erin", "Caitlin", "Lacey", "Macy",
    ),
    boys=(
        "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Henry",
        "Theodore", "Freddie", "Jack", "Charlie", "Thomas", "Alfie", "Jacob", "William",
        "Joshua", "James", "Ethan", "Harrison", "Lewis", "Callum", "Kieran", "Liam", "Connor",
        "Ryan", "Tyler", "Jayden", "Reece", "Owen", "Dylan", "Rhys", "Finley", "Ronnie",
        "Tommy-Lee", "Billy-Joe", "Noël", "Jude", "Samuel", "Daniel", "Max", "Toby", "Joe",
    ),
    surnames=(
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
        "Hall", "Wood", "Jackson", "Clarke", "Hughes", "Edwards", "Turner", "Hill", "Moore",
        "Cooper", "Ward", "Morris", "King", "Watson", "Harrison", "Morgan", "Baker", "Young",
        "Allen", "Mitchell", "Lee", "Harris", "Martin", "Parker", "Bennett", "Cook", "Bell",
        "O'Brien", "O'Connor", "O'Neill", "McDonald", "MacLeod", "Smith-Jones", "Lloyd-Davies",
        "Fitzgerald", "Ap Rhys", "Ffrench", "St John", "Price", "Griffiths", "Owen", "Pugh",
    ),
)

IRISH = NamePool(
    girls=("Aoife", "Siobhán", "Niamh", "Saoirse", "Ciara", "Róisín", "Orla", "Sinéad"),
    boys=("Seán", "Cian", "Oisín", "Darragh", "Pádraig", "Eoin", "Ronan", "Conor"),
    surnames=("O'Sullivan", "Murphy", "Kelly", "Ó Briain", "Byrne", "Ryan", "Walsh", "Doyle"),
)

TRAVELLER = NamePool(
    girls=("Bridget", "Margaret", "Kathleen", "Shelby", "Tiffany", "Mary"),
    boys=("Patrick", "Martin", "John-Joe", "Michael", "Tommy", "Jimmy"),
    surnames=("Ward", "McDonagh", "Joyce", "Maughan", "Stokes", "Connors", "Lee", "Boswell"),
)

OTHER_WHITE = NamePool(
    girls=("Zofia", "Julia", "Maja", "Oliwia", "Ana", "Inês", "Beatriz", "Elif", "Giulia"),
    boys=("Łukasz", "Kacper", "Jakub", "João", "Tiago", "Andrei", "Matteo", "Emre", "Luca"),
    surnames=(
        "Kowalski", "Nowak", "Wiśniewska", "Silva", "Gonçalves", "Popescu", "Rossi",
        "Yılmaz", "Müller", "Novák", "Horváth", "Petrov", "Dąbrowski", "Ferreira",
    ),
)

ROMA = NamePool(
    girls=("Daniela", "Denisa", "Ramona", "Sabina"),
    boys=("Marian", "Ionuț", "Dominik", "Radek"),
    surnames=("Lakatos", "Balog", "Horvath", "Duda", "Stoica"),
)

SOUTH_ASIAN = NamePool(
    girls=(
        "Aisha", "Priya", "Ananya", "Fatima", "Zara", "Maryam", "Simran", "Anaya", "Inaya",
        "Nusrat", "Sana", "Ishita", "Noor",
    ),
    boys=(
        "Mohammed", "Muhammad", "Aarav", "Arjun", "Ibrahim", "Yusuf", "Rohan", "Hamza",
        "Ayaan", "Zayn", "Vihaan", "Abdul-Rahman", "Harjeet",
    ),
    surnames=(
        "Patel", "Khan", "Ahmed", "Hussain", "Ali", "Shah", "Begum", "Rahman", "Islam",
        "Singh", "Gill", "Sharma", "Chaudhry", "Iqbal", "D'Souza", "D'Costa", "Mistry",
    ),
)

BLACK = NamePool(
    girls=("Adaeze", "Amara", "Chiamaka", "Ama", "Abena", "Nia", "Imani", "Tanisha", "Esmé"),
    boys=("Chidi", "Kwame", "Oluwaseun", "Tobi", "Kofi", "Emeka", "Jamal", "Marcus", "Dwayne"),
    surnames=(
        "Okafor", "Adeyemi", "Mensah", "Boateng", "Okoro", "Osei", "Campbell", "Thomas",
        "Grant", "Francis", "Oyelaran-Davies", "Nwosu", "Mohamed", "Abdi",
    ),
)

CHINESE = NamePool(
    girls=("Mei", "Xin Yi", "Jia Hui", "Ling", "Hui Min"),
    boys=("Wei", "Jun Hao", "Hao Ran", "Zi Xuan", "Ming"),
    surnames=("Chen", "Wong", "Li", "Zhang", "Liu", "Cheung", "Lam", "Ng"),
)

OTHER = NamePool(
    girls=("Layla", "Yasmin", "Mariam", "Ngọc Anh", "Thảo", "Dalia"),
    boys=("Omar", "Ali", "Karim", "Minh", "Quang", "Farid"),
    surnames=("Al-Hassan", "Haddad", "Nguyễn", "Trần", "Rahimi", "Karimi", "El-Amin"),
)

# Main ethnicity codes with rough shares for an English secondary school (per thousand),
# and the name pools that fit each. Mixed backgrounds draw from both sides.
ETHNICITY_MIX: tuple[tuple[str, int, tuple[NamePool, ...]], ...] = (
    ("WBRI", 650, (BRITISH,)),
    ("WIRI", 10, (IRISH, BRITISH)),
    ("WIRT", 3, (TRAVELLER,)),
    ("WROM", 5, (ROMA,)),
    ("WOTH", 70, (OTHER_WHITE,)),
    ("MWBC", 20, (BRITISH, BLACK)),
    ("MWBA", 10, (BRITISH, BLACK)),
    ("MWAS", 20, (BRITISH, SOUTH_ASIAN)),
    ("MOTH", 17, (BRITISH, OTHER, CHINESE)),
    ("AIND", 35, (SOUTH_ASIAN,)),
    ("APKN", 40, (SOUTH_ASIAN,)),
    ("ABAN", 15, (SOUTH_ASIAN,)),
    ("AOTH", 15, (SOUTH_ASIAN, OTHER)),
    ("BCRB", 10, (BLACK, BRITISH)),
    ("BAFR", 40, (BLACK,)),
    ("BOTH", 5, (BLACK,)),
    ("CHNE", 7, (CHINESE,)),
    ("OOTH", 15, (OTHER,)),
    ("REFU", 5, (BRITISH,)),
    ("NOBT", 8, (BRITISH, OTHER_WHITE)),
)

# Staff names, so the Staff Access tab reads like a staff room.
STAFF_FIRST = (
    "Sarah", "David", "Helen", "Mark", "Rachel", "Paul", "Fiona", "Andrew", "Nadia", "Gareth",
    "Claire", "Imran", "Joanne", "Stephen", "Bronwen", "Kwabena", "Siân", "Rajesh", "Hélène",
    "Martin", "Louise", "Chinedu", "Emma", "Neil",
)
STAFF_SURNAMES = (
    "Khan", "Hughes", "O'Reilly", "Patel", "Fletcher", "Ashworth", "Mensah", "Jenkins",
    "Brown-Lewis", "Stewart", "Okonjo", "Chowdhury", "Lambert", "Dubois", "Pritchard",
    "Morrison", "Nowak", "Whitfield", "Evans", "Gallagher",
)

LEAVING_REASONS = (
    "Moved to another school",
    "Moved out of the area",
    "Elective home education",
    "Moved abroad",
    "Transferred to alternative provision",
)
# fmt: on
