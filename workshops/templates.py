"""Workshop templates as data: the Bright Mirror agenda and a blank one, in English and French.

A template's texts are written in the workshop's language (chosen when it is created), not in the language
of the facilitator's interface: they are what participants read on their screens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_TEMPLATE = "bright_mirror"


@dataclass(frozen=True)
class PhaseSpec:
    """One phase of an agenda, ready to become a `Phase` row."""

    title: str
    instructions: str
    duration_seconds: int
    editors_open: bool = True
    visibility: str = "none"  # one of workshops.models.VISIBILITY
    comments: str = "off"  # one of workshops.models.COMMENTS
    at_deadline: str = "signal"  # one of workshops.models.AT_DEADLINE
    tool: str = "story"  # one of workshops.models.TOOLS
    board_columns: str = ""  # one name per line
    dots: int = 0
    board_readonly: bool = False


@dataclass(frozen=True)
class _Step:
    """A phase in every language: its settings once, its (title, instructions) per language."""

    minutes: int
    editors_open: bool
    visibility: str
    text: dict[str, tuple[str, str]]
    comments: str = "off"
    at_deadline: str = "signal"
    tool: str = "story"
    columns: dict[str, tuple[str, ...]] | None = None  # the board's column names per language
    dots: int = 0
    board_readonly: bool = False


# The board's columns in the phases before writing, in each language. A card's column is its name: a phase
# shows the columns it lists (the others' cards are set apart, still there), and every column when it lists
# none.
_SIGNAL_COLUMNS = {"en": ("Signals", "Promising", "Set aside"), "fr": ("Signaux", "Prometteurs", "De côté")}
_WORLD_COLUMNS = {  # the promising signals first, where the Signals phase left them
    "en": ("Promising", "When and where", "What changed", "How we got there", "Still hard"),
    "fr": (
        "Prometteurs",
        "Quand et où",
        "Ce qui a changé",
        "Comment on y est arrivé",
        "Ce qui reste difficile",
    ),
}
_PLOT_COLUMNS = {
    "en": ("Characters", "Situation", "Knot", "Ending"),
    "fr": ("Personnages", "Situation", "Nœud", "Fin"),
}


@dataclass(frozen=True)
class Template:
    key: str
    label: LazyString  # for the facilitator's interface
    description: LazyString
    steps: tuple[_Step, ...]

    @property
    def minutes(self) -> int:
        return sum(step.minutes for step in self.steps)


_FRENCH_SPACE = re.compile(r" ([:;!?»])|(«) ")


def _french_typography(text: str) -> str:
    """French puts a no-break space before : ; ! ? » and after «, so that they never start a line."""
    return _FRENCH_SPACE.sub(lambda m: f"\u00a0{m[1]}" if m[1] else f"{m[2]}\u00a0", text)


BRIGHT_MIRROR = Template(
    key="bright_mirror",
    label=_l("Bright Mirror"),
    description=_l(
        "The full workshop in 8 phases, about 3 hours: signals, a desirable world, characters, writing, "
        "cross-reading, revision and publication."
    ),
    steps=(
        _Step(
            minutes=15,
            editors_open=False,
            visibility="none",
            text={
                "en": (
                    "Welcome and framing",
                    """Welcome! In the next three hours, your group will imagine a **desirable future** and \
tell it as a short story, written together in this shared editor.

**How it works**

- We go through the phases together; the timer shows the time left in each one.
- Each group writes one story. Everyone can type at the same time.
- At the end, each story is read by another group, revised, then published.

**Ground rules**

- *Desirable*, not perfect: a future you would like to live in, frictions included.
- "Yes, and…": build on each other's ideas before criticising them.
- Everyone writes; no idea is too small; feedback stays kind.
- Plausible, not certain: it is fiction, and it starts from today's world.

Take a minute to introduce yourselves in your group: your name, and one thing you hope for the future.""",
                ),
                "fr": (
                    "Accueil et cadrage",
                    """Bienvenue ! Pendant les trois prochaines heures, votre groupe va imaginer un **futur \
désirable** et le raconter dans une courte nouvelle, écrite ensemble dans cet éditeur partagé.

**Comment ça se passe**

- Nous avançons ensemble, phase par phase ; le minuteur indique le temps qu’il reste.
- Chaque groupe écrit une seule histoire. Tout le monde peut écrire en même temps.
- À la fin, chaque histoire est lue par un autre groupe, retravaillée, puis publiée.

**Règles du jeu**

- *Désirable*, pas parfait : un futur où vous aimeriez vivre, avec ses frottements.
- « Oui, et… » : on prolonge les idées des autres avant de les critiquer.
- Tout le monde écrit ; aucune idée n’est trop petite ; les retours restent bienveillants.
- Plausible, pas certain : c’est une fiction, mais elle part du monde d’aujourd’hui.

Prenez une minute pour vous présenter dans votre groupe : votre prénom, et une chose que vous espérez \
pour l’avenir.""",
                ),
            },
        ),
        _Step(
            minutes=20,
            editors_open=True,
            visibility="none",
            tool="board",
            columns=_SIGNAL_COLUMNS,
            dots=3,
            text={
                "en": (
                    "Signals",
                    """What is **already changing today** that could grow into the future of our question?

On your group's board, add as many signals as you can, one card each:

- **Weak signals**: a local initiative, a new habit, a surprising piece of news, a start-up, a law under \
discussion.
- **Trends**: what is clearly growing or declining (climate, population, technology, work, ways of living).
- **Hopes and worries**: what you would like to see grow, what you fear.

Then sort them: each of you places **3 dots** on the signals you find most promising, and your group moves \
the three that got the most to **Promising**. They will seed your world.

*Tip: quantity first. No debate for now; write everything down.*""",
                ),
                "fr": (
                    "Signaux",
                    """Qu’est-ce qui **change déjà aujourd’hui** et pourrait grandir jusqu’au futur de notre \
question ?

Sur le tableau de votre groupe, ajoutez le plus de signaux possible, un par carte :

- **Signaux faibles** : une initiative locale, une nouvelle habitude, une actualité surprenante, une jeune \
entreprise, une loi en discussion.
- **Tendances** : ce qui progresse ou recule nettement (climat, démographie, technologies, travail, modes \
de vie).
- **Espoirs et inquiétudes** : ce que vous aimeriez voir grandir, ce que vous craignez.

Puis faites le tri : chacun place **3 gommettes** sur les signaux qu’il trouve les plus prometteurs, et \
votre groupe déplace les trois qui en ont reçu le plus dans **Prometteurs**. Ils seront les graines de votre \
monde.

*Astuce : la quantité d’abord. Pas de débat pour l’instant, notez tout.*""",
                ),
            },
        ),
        _Step(
            minutes=25,
            editors_open=True,
            visibility="none",
            tool="both",
            columns=_WORLD_COLUMNS,
            text={
                "en": (
                    "Imagine the world",
                    """Now jump forward: choose a **date**, 15 to 30 years from now, and imagine the world \
where your promising signals have grown and things have turned out **well**.

Add a few cards to the board, under these headings:

- **When and where**: the year, the place (a city, a village, a neighbourhood, a hospital…).
- **What changed**: three concrete differences from today, visible in everyday life.
- **How we got there**: a decision, a discovery or a movement that made it possible.
- **What is still hard**: a desirable future is not a perfect one; what tensions remain?

*Tip: be concrete. "People eat better" is vague; "the school canteen is run by the parents' \
cooperative" is already a story.*""",
                ),
                "fr": (
                    "Imaginer le monde",
                    """Faites maintenant un saut dans le temps : choisissez une **date**, dans 15 à 30 ans, \
et imaginez le monde où vos signaux prometteurs ont grandi et où les choses ont **bien** tourné.

Ajoutez quelques cartes au tableau, sous ces titres :

- **Quand et où** : l’année, le lieu (une ville, un village, un quartier, un hôpital…).
- **Ce qui a changé** : trois différences concrètes avec aujourd’hui, visibles dans la vie quotidienne.
- **Comment on y est arrivé** : une décision, une découverte ou un mouvement qui l’a rendu possible.
- **Ce qui reste difficile** : un futur désirable n’est pas un futur parfait ; quelles tensions \
demeurent ?

*Astuce : soyez concrets. « Les gens mangent mieux » reste vague ; « la cantine de l’école est gérée par \
la coopérative des parents » est déjà une histoire.*""",
                ),
            },
        ),
        _Step(
            minutes=20,
            editors_open=True,
            visibility="none",
            tool="both",
            columns=_PLOT_COLUMNS,
            text={
                "en": (
                    "Characters and plot",
                    """Who lives in this world, and what happens to them?

- **One or two characters**: a name, an age, a job or a role, what they want today.
- **A situation**: an ordinary day, a moment that shows how this world works (a meal, a journey, an \
appointment, a celebration).
- **A knot**: something resists, surprises or must be decided; a story needs something at stake.
- **An ending**: how has the character changed, or what have they understood?

Sketch the plot in 4 to 6 lines: beginning, turning point, end.

*Tip: show the world through the character's eyes and everyday gestures rather than explaining it.*""",
                ),
                "fr": (
                    "Personnages et intrigue",
                    """Qui vit dans ce monde, et que lui arrive-t-il ?

- **Un ou deux personnages** : un prénom, un âge, un métier ou un rôle, ce qu’ils veulent aujourd’hui.
- **Une situation** : une journée ordinaire, un moment qui montre comment ce monde fonctionne (un repas, \
un trajet, un rendez-vous, une fête).
- **Un nœud** : quelque chose résiste, surprend ou doit être tranché ; une histoire a besoin d’un enjeu.
- **Une fin** : en quoi le personnage a-t-il changé, ou qu’a-t-il compris ?

Esquissez l’intrigue en 4 à 6 lignes : début, rebondissement, fin.

*Astuce : montrez le monde à travers les yeux et les gestes quotidiens du personnage plutôt que de \
l’expliquer.*""",
                ),
            },
        ),
        _Step(
            minutes=45,
            editors_open=True,
            visibility="none",
            at_deadline="lock",  # the story stands still for the cross-reading that follows
            tool="both",  # the board of the phases before, every column, to draw on, read-only
            board_readonly=True,
            text={
                "en": (
                    "Write",
                    """Write the story: **1 to 3 pages**, in the shared editor.

- Start with a title, on a line beginning with `# `.
- Share out the work: one person per scene or paragraph, then reread each other.
- Present or past, first or third person: decide together and stick to it.
- Let the details of your world show in the action, the dialogue, the objects.

Ten minutes before the end, stop adding and reread from the top: is the story clear to someone who was \
not in your group?""",
                ),
                "fr": (
                    "Écrire",
                    """Écrivez l’histoire : **1 à 3 pages**, dans l’éditeur partagé.

- Commencez par un titre, sur une ligne qui commence par `# `.
- Répartissez-vous le travail : une personne par scène ou par paragraphe, puis relisez-vous les uns les \
autres.
- Présent ou passé, première ou troisième personne : décidez ensemble et tenez-vous-y.
- Faites apparaître les détails de votre monde dans l’action, les dialogues, les objets.

Dix minutes avant la fin, arrêtez d’ajouter et relisez depuis le début : l’histoire est-elle claire pour \
quelqu’un qui n’était pas dans votre groupe ?""",
                ),
            },
        ),
        _Step(
            minutes=20,
            editors_open=False,
            visibility="next",
            comments="readers",
            text={
                "en": (
                    "Cross-reading",
                    """Your group now reads **another group's story**: it appears on your screen, read-only. \
Your own editor is paused.

Read it once all the way through, then leave your feedback **in the margin**: select a passage and press \
**Comment** (or Ctrl+Alt+M). Everyone in your group sees the comments appear as you write them, and so do \
the authors.

- **What works**: an image, a character, an idea that struck you.
- **What you would like to know more about**: what was unclear or too quick.
- **One question** for the authors.

Be generous and precise: quote the passage you mean, and say why. Reply to your teammates' comments rather \
than repeating them. If you are in the same room, you can still end with a few words face to face.""",
                ),
                "fr": (
                    "Lecture croisée",
                    """Votre groupe lit maintenant **l’histoire d’un autre groupe** : elle s’affiche sur \
votre écran, en lecture seule. Votre propre éditeur est en pause.

Lisez-la une fois en entier, puis laissez vos retours **dans la marge** : sélectionnez un passage et \
appuyez sur **Commenter** (ou Ctrl+Alt+M). Tout votre groupe voit les commentaires arriver au fil de \
l’écriture, et les auteurs aussi.

- **Ce qui fonctionne** : une image, un personnage, une idée qui vous a marqués.
- **Ce que vous aimeriez approfondir** : ce qui était flou ou trop rapide.
- **Une question** pour les auteurs.

Soyez généreux et précis : sélectionnez le passage dont vous parlez, et dites pourquoi. Répondez aux \
commentaires de vos coéquipiers plutôt que de les répéter. Si vous êtes dans la même salle, vous pouvez \
encore finir par quelques mots de vive voix.""",
                ),
            },
        ),
        _Step(
            minutes=20,
            editors_open=True,
            visibility="none",
            comments="group",
            at_deadline="lock",  # the stories stand still for the review before publishing
            text={
                "en": (
                    "Revise",
                    """Back to your own story. The other group's comments are **highlighted in your text**: \
open each one (click the highlight, or the list beside the editor) and read it together.

Then decide together what to change:

- clarify what your readers did not understand;
- strengthen what they liked;
- answer their question, in the story itself if you can.

**Reply** in the thread to say what you did, or why you keep a passage as it is, then **resolve** it. \
Finish with a last reading aloud: what remains is the story as you want it published.""",
                ),
                "fr": (
                    "Réviser",
                    """Retour à votre histoire. Les commentaires de l’autre groupe sont **surlignés dans \
votre texte** : ouvrez-les un par un (cliquez sur le surlignage, ou sur la liste à côté de l’éditeur) et \
lisez-les ensemble.

Puis décidez ensemble de ce que vous changez :

- éclairer ce que vos lecteurs n’ont pas compris ;
- renforcer ce qu’ils ont aimé ;
- répondre à leur question, dans l’histoire elle-même si possible.

**Répondez** dans le fil pour dire ce que vous avez fait, ou pourquoi vous gardez un passage tel quel, \
puis **résolvez**-le. Terminez par une dernière lecture à voix haute : ce qui reste est l’histoire telle \
que vous voulez la publier.""",
                ),
            },
        ),
        _Step(
            minutes=15,
            editors_open=False,
            visibility="all",
            text={
                "en": (
                    "Publish and share",
                    """The writing is over: well done!

The facilitator reviews the stories and publishes them in the gallery. Meanwhile, you can read every \
group's story on your screen.

To close, each group shares with the room:

- the title of its story and its date;
- in one sentence, the future it imagined;
- what surprised you while writing it together.""",
                ),
                "fr": (
                    "Publier et partager",
                    """L’écriture est terminée : bravo !

L’animateur ou l’animatrice relit les histoires et les publie dans la galerie. En attendant, vous pouvez \
lire les histoires de tous les groupes sur votre écran.

Pour conclure, chaque groupe partage avec la salle :

- le titre de son histoire et sa date ;
- en une phrase, le futur qu’il a imaginé ;
- ce qui vous a surpris en l’écrivant ensemble.""",
                ),
            },
        ),
    ),
)

BLANK = Template(
    key="blank",
    label=_l("Blank"),
    description=_l("One writing phase of an hour, to build your own agenda."),
    steps=(
        _Step(
            minutes=60,
            editors_open=True,
            visibility="none",
            text={
                "en": ("Writing", "Write your group's story together in the shared editor."),
                "fr": ("Écriture", "Écrivez ensemble l’histoire de votre groupe dans l’éditeur partagé."),
            },
        ),
    ),
)

TEMPLATES: dict[str, Template] = {template.key: template for template in (BRIGHT_MIRROR, BLANK)}

#: Default names, in the workshop's language, of what a facilitator adds without naming it.
_WORDS: dict[str, dict[str, str]] = {
    "en": {"group": "Group {number}", "phase": "New phase"},
    "fr": {"group": "Groupe {number}", "phase": "Nouvelle phase"},
}


def _language(language: str) -> str:
    return language if language in LANGUAGES else "en"


def _localise(text: str, language: str) -> str:
    return _french_typography(text) if language == "fr" else text


def agenda(template: str, language: str) -> list[PhaseSpec]:
    """The phases of `template` in `language` (English when the language is not one we write in).

    Raises KeyError for an unknown template.
    """
    language = _language(language)
    return [
        PhaseSpec(
            title=_localise(step.text[language][0], language),
            instructions=_localise(step.text[language][1], language),
            duration_seconds=step.minutes * 60,
            editors_open=step.editors_open,
            visibility=step.visibility,
            comments=step.comments,
            at_deadline=step.at_deadline,
            tool=step.tool,
            board_columns="\n".join(step.columns[language]) if step.columns else "",
            dots=step.dots,
            board_readonly=step.board_readonly,
        )
        for step in TEMPLATES[template].steps
    ]


def group_name(language: str, number: int) -> str:
    """ "Group 3" / "Groupe 3": a group's default name in the workshop's language."""
    return _WORDS[_language(language)]["group"].format(number=number)


def new_phase_title(language: str) -> str:
    return _WORDS[_language(language)]["phase"]
