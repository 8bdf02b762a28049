"""Name, address and contact lists for the demo clinic (invented people, no real records).

Each list is in order of how common the name is; ``desk.services.demo`` gives rank ``r``
a Zipf-like weight, which is how name frequencies fall off in real populations. Names
are grouped by where a family's names come from, so first and last names go together
("Nguyễn Thảo", not "Nguyễn Brunhilde"). Surnames with a feminine form are written
"masculine|feminine" (Иванов|Иванова, Kowalski|Kowalska). Spellings are exactly as
people write them: accents, apostrophes, hyphens and non-Latin scripts included, so the
demo exercises search folding and display.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NameGroup:
    weight: float  # share of the clinic's patients
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    """Names separated by commas (a name may contain spaces, as in "María José")."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


GROUPS: tuple[NameGroup, ...] = (
    NameGroup(
        0.62,
        _words(
            "Mary, Jennifer, Linda, Patricia, Elizabeth, Susan, Jessica, Sarah, Karen, Lisa, "
            "Nancy, Sandra, Emily, Ashley, Michelle, Kimberly, Donna, Amanda, Melissa, "
            "Deborah, Stephanie, Rebecca, Laura, Sharon, Cynthia, Kathleen, Amy, Angela, "
            "Anna, Brenda, Emma, Olivia, Nicole, Rachel, Katherine, Samantha, Christine, "
            "Heather, Megan, Hannah, Abigail, Madison, Julie, Victoria, Lauren, Kelly, "
            "Joan, Evelyn, Judith, Grace, Chloe, Zoë, Natalie, Claire, Harper, Avery, "
            "Ruth, Alice, Brooke, Mary Ann, Anne-Marie, Leah, Caitlin, Erin, Paige, Tess"
        ),
        _words(
            "James, Robert, John, Michael, David, William, Richard, Joseph, Thomas, "
            "Christopher, Charles, Daniel, Matthew, Anthony, Mark, Donald, Steven, Andrew, "
            "Paul, Joshua, Kenneth, Kevin, Brian, George, Timothy, Ronald, Jason, Edward, "
            "Jeffrey, Ryan, Jacob, Gary, Nicholas, Eric, Jonathan, Stephen, Larry, Justin, "
            "Scott, Brandon, Benjamin, Samuel, Gregory, Alexander, Patrick, Frank, Jack, "
            "Dennis, Tyler, Aaron, Nathan, Henry, Zachary, Peter, Kyle, Noah, Ethan, Liam, "
            "Owen, Caleb, Wyatt, Jean-Luc, Rhys, Seán"
        ),
        _words(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Thomas, "
            "Taylor, Moore, Jackson, Martin, Lee, Thompson, White, Harris, Clark, Lewis, "
            "Robinson, Walker, Young, Allen, King, Wright, Scott, Hill, Green, Adams, Nelson, "
            "Baker, Hall, Campbell, Mitchell, Carter, Roberts, Phillips, Evans, Turner, "
            "Parker, Collins, Edwards, Stewart, Morris, Murphy, Cook, Rogers, Morgan, Cooper, "
            "Peterson, Bailey, Reed, Kelly, Howard, Cox, Ward, Richardson, Watson, Brooks, "
            "Wood, James, Bennett, Gray, Hughes, Price, Sanders, Myers, Long, Ross, Foster, "
            "Powell, Jenkins, Perry, Russell, Sullivan, Bell, Coleman, Butler, Henderson, "
            "Barnes, Fisher, Vasquez, Simmons, Graham, Marshall, Owens, Harrison, Gibson, "
            "Wallace, Ellis, McDonald, MacLeod, St. John, Van der Berg, Fitzgerald, "
            "Blackwood, Ashworth, Pemberton, Quigley, Underwood, Yardley, Zimmerman"
        ),
    ),
    NameGroup(
        0.18,
        _words(
            "María, Sofía, Isabella, Valentina, Camila, Lucía, Ana, Gabriela, Daniela, "
            "Mariana, Carmen, Rosa, Guadalupe, Ximena, María José, Inés, Beatriz, Alejandra, "
            "Paola, Verónica, Mónica, Leticia, Dolores, Araceli, Yesenia, Itzel"
        ),
        _words(
            "José, Juan, Luis, Carlos, Jorge, Miguel, Antonio, Jesús, Francisco, Alejandro, "
            "Pedro, Manuel, Ricardo, Fernando, Andrés, Raúl, Sergio, Héctor, Iván, Joaquín, "
            "Rubén, Óscar, Emilio, Julián, Ramón, Tomás"
        ),
        _words(
            "Garcia, Rodriguez, Martinez, Hernandez, Lopez, Gonzalez, Perez, Sanchez, "
            "Ramirez, Torres, Flores, Rivera, Gomez, Diaz, Reyes, Cruz, Morales, Ortiz, "
            "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, "
            "Gutiérrez, Ramos, Chávez, Jiménez, Ruiz, Álvarez, Castillo, Vásquez, Muñoz, "
            "Peña, Ibáñez, Domínguez, de la Cruz, del Río, Núñez, Cortés, Ordóñez"
        ),
    ),
    NameGroup(
        0.06,
        _words(
            "Thảo, Linh, Lan, Hương, Mai, Ngọc, Trang, Hoa, Jia Li, Mei, Xiu Ying, Ji-woo, "
            "Seo-yeon, Min-ji, Priya, Ananya, Aiko, Yuki, Hana, Anh"
        ),
        _words(
            "Minh, Huy, Đức, Tuấn, Quang, Long, Wei, Jun, Hao, Jae-hyun, Min-jun, Sung-min, "
            "Arjun, Rahul, Vikram, Hiroshi, Kenji, Takeshi, Dũng, Bảo"
        ),
        _words(
            "Nguyen, Nguyễn, Tran, Trần, Le, Lê, Pham, Phạm, Huỳnh, Võ, Đặng, Bùi, Wang, Li, "
            "Zhang, Liu, Chen, Kim, Park, Choi, Patel, Sharma, Singh, Gupta, Tanaka, Sato, "
            "Suzuki, Watanabe"
        ),
    ),
    NameGroup(
        0.06,
        _words(
            "Zoë, Chloé, Hélène, Élodie, Anaïs, Léa, Françoise, Björk, Åsa, Sigrún, "
            "Małgorzata, Zofia, Agnieszka, Jürgen, Ingrid, Jördis, Søs, Renée, Noémie, "
            "Siobhán, Aoife, Niamh, Brigitte, Dörte"
        ),
        _words(
            "Łukasz, Paweł, Wojciech, Jürgen, Søren, Bjørn, Jörg, Kai-Uwe, François, "
            "Jérôme, Stéphane, Loïc, Håkon, Ólafur, Tomáš, Jiří, Dušan, Matthäus, Ciarán, "
            "Pádraig, Oisín, Dieter, Günter, René"
        ),
        _words(
            "Müller, Schmidt, Schneider, Fischer, Weiß, Schröder, Köhler, Groß, Kowalski|Kowalska, "
            "Wiśniewski|Wiśniewska, Wójcik, Nowak, Łuczak, Dąbrowski|Dąbrowska, Novák|Nováková, "
            "Dvořák|Dvořáková, Søndergaard, Ødegård, Åberg, Lefèvre, Dupré, Bélanger, "
            "Gagné, Côté, Fernández-Olsen, Meyer-Lübke, Ó Súilleabháin"
        ),
    ),
    NameGroup(
        0.05,
        _words(
            "Siobhan, Maeve, Colleen, Bridget, Kathleen, Fiona, Deirdre, Nora, Giulia, "
            "Francesca, Chiara, Rosa, Gemma, Lucia"
        ),
        _words(
            "Sean, Patrick, Liam, Declan, Connor, Brendan, Kieran, Giovanni, Marco, Luca, "
            "Matteo, Dominic, Vincent, Salvatore"
        ),
        _words(
            "O'Brien, O'Connor, O'Neill, O'Sullivan, O'Reilly, O'Donnell, McCarthy, "
            "Murphy, Kennedy, Byrne, D'Angelo, D'Amico, DeLuca, Russo, Esposito, Romano, "
            "Bianchi, Colombo, Ricci, Smith-Jones, Taylor-Reed, Lloyd-Webber, O'Neill-Park"
        ),
    ),
    NameGroup(
        0.013,
        _words("Σοφία, Μαρία, Ελένη, Αικατερίνη, Βασιλική, Γεωργία"),
        _words("Γιώργος, Δημήτρης, Νίκος, Κωνσταντίνος, Ιωάννης, Παναγιώτης"),
        _words(
            "Παπαδόπουλος|Παπαδοπούλου, Παπαδάκης, Γεωργίου, Οικονόμου, "
            "Νικολάου, Αντωνίου, Βλαχος|Βλάχου"
        ),
    ),
    NameGroup(
        0.013,
        _words("Анна, Мария, Елена, Ольга, Наталья, Татьяна, Юлия, Ксения"),
        _words("Дмитрий, Алексей, Сергей, Андрей, Иван, Михаил, Николай, Юрий"),
        _words(
            "Иванов|Иванова, Смирнов|Смирнова, Кузнецов|Кузнецова, Попов|Попова, "
            "Соколов|Соколова, Лебедев|Лебедева, Шевченко, Коваленко"
        ),
    ),
    NameGroup(
        0.004,
        _words("秀英, 丽, 敏, 静, 美玲"),
        _words("伟, 强, 磊, 军, 洋"),
        _words("王, 李, 张, 刘, 陈"),
    ),
)

# Everyday forms people ask to be called by (the preferred name field).
NICKNAMES: dict[str, str] = {
    "Elizabeth": "Liz",
    "Katherine": "Kate",
    "Kathleen": "Kathy",
    "Jennifer": "Jen",
    "Patricia": "Trish",
    "Victoria": "Tori",
    "Samantha": "Sam",
    "Abigail": "Abby",
    "Rebecca": "Becky",
    "Margaret": "Peggy",
    "William": "Bill",
    "Robert": "Bob",
    "Richard": "Rick",
    "Michael": "Mike",
    "Christopher": "Chris",
    "Anthony": "Tony",
    "Joseph": "Joe",
    "Thomas": "Tom",
    "Benjamin": "Ben",
    "Nicholas": "Nick",
    "Alexander": "Alex",
    "Jonathan": "Jon",
    "Francisco": "Paco",
    "José": "Pepe",
    "Alejandro": "Álex",
    "Guadalupe": "Lupita",
    "Dolores": "Lola",
    "Łukasz": "Łukas",
    "Małgorzata": "Gosia",
    "Wojciech": "Wojtek",
    "Дмитрий": "Дима",
    "Алексей": "Лёша",
    "Наталья": "Наташа",
    "Αικατερίνη": "Κατερίνα",
    "Παναγιώτης": "Πάνος",
    "Jae-hyun": "Jay",
    "Xiu Ying": "Grace",
    "Siobhán": "Shiv",
}

# Names chosen by the person rather than shortened (some patients use a different name).
CHOSEN_NAMES = _words("Sky, River, Jamie, Alex, Sam, Robin, Kit, Jules, Rowan, Morgan")

STREETS = _words(
    "Main St, Oak Ave, Maple Dr, Cedar Ln, Pine St, Elm St, Washington Ave, Lake Rd, "
    "Hillcrest Dr, Park Pl, Sunset Blvd, Harbor View Rd, Mill Creek Way, Chestnut Ct, "
    "Willow Bend, Ridge Rd, Church St, Highland Ave, Spring St, Orchard Ln, Bayview Ter, "
    "Rue St-Denis, Calle Real, Ocean Pkwy"
)

# (city, state, ZIP prefix, area codes): a region a clinic would draw patients from.
CITIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Portland", "OR", "972", ("503", "971")),
    ("Beaverton", "OR", "970", ("503", "971")),
    ("Gresham", "OR", "970", ("503",)),
    ("Hillsboro", "OR", "971", ("503", "971")),
    ("Lake Oswego", "OR", "970", ("503",)),
    ("Vancouver", "WA", "986", ("360", "564")),
    ("Salem", "OR", "973", ("503", "971")),
    ("Tigard", "OR", "972", ("503",)),
    ("Camas", "WA", "986", ("360",)),
    ("Oregon City", "OR", "970", ("503",)),
)

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

RELATIONSHIPS_FAMILY = _words("Spouse, Partner, Mother, Father, Sister, Brother, Daughter, Son")
RELATIONSHIPS_OTHER = _words("Friend, Neighbour, Roommate, Colleague")

PROVIDERS = _words(
    "Dr. Helen Park, Dr. Marcus Webb, Dr. Priya Raman, Dr. Tomás Ibarra, Dr. Grace Liu, "
    "Dr. Samuel Okafor, Dr. Ingrid Solberg, Dr. Rachel Stein, Dr. Daniel Moreau, "
    "Dr. Aisha Rahman, Dr. Kevin O'Hara, Dr. Yuki Mori"
)
PRACTICES = _words(
    "Riverside Psychiatry, Northwest Pain Center, Cascade Family Medicine, "
    "Willamette Behavioral Health, Harbor Neurology, Pearl District Primary Care"
)
