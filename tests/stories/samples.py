"""Realistic sample stories (French, "la santé en 2040") for the reader tests, the E2E flow and screenshots.

`build_collection()` makes a workshop whose groups wrote these stories into their CRDT logs, as a real
workshop would leave them before the facilitator publishes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stories.models import Story
from stories.reading import publishing
from tests import factories
from workshops.models import Workshop

QUESTION = "En 2040, comment prenons-nous soin les uns des autres ?"


@dataclass(frozen=True)
class Sample:
    group: str
    authors: list[str]
    text: str
    themes: list[str] = field(default_factory=list)


MAISON = Sample(
    "Les Colibris",
    ["Awa Diop", "Julien Marchand", "Inès Benali"],
    """# La Maison des communs

Le mardi, à Nantes, la Maison des communs sent le café et le pain chaud. Awa, infirmière coordinatrice,
ouvre les volets à sept heures et demie ; à huit heures, la salle est déjà pleine. On ne vient pas ici
seulement quand on est malade. On vient parce que c'est ici que le quartier prend soin de lui-même.

Marcel, quatre-vingt-sept ans, s'assoit toujours près de la fenêtre. Depuis que sa femme est partie, il
avait cessé de sortir. C'est la factrice qui l'a signalé, en 2038, quand la mutuelle du quartier a proposé
à tous ceux qui croisent du monde — facteurs, boulangers, chauffeurs de bus — de devenir *veilleurs de
santé*. Aujourd'hui, Marcel anime l'atelier de réparation de vélos du jeudi.

## Ce qui a changé

Personne n'a décidé un jour de tout changer. Il y a eu d'abord les chiffres : en 2030, un habitant sur
trois vivait seul, et la solitude tuait plus que le tabac. Puis il y a eu les assemblées de quartier, où
les soignants, les habitants et les élus ont écrit ensemble une phrase qu'on peut lire au-dessus de la
porte :

> « La santé n'est pas l'absence de maladie, c'est la présence des autres. »

Le financement a suivi. Chaque Maison reçoit un budget calculé non sur le nombre d'actes, mais sur la
santé du quartier : moins d'hospitalisations évitables, plus de liens, plus de marche, moins d'anxiété.

## Un mardi comme les autres

À dix heures, Awa reçoit Léa, seize ans, qui ne dort plus. Elles ne parlent pas de médicaments. Elles
parlent du club d'escalade, du bruit de la rocade, de la chambre partagée avec deux petits frères. Léa
repartira avec un rendez-vous chez la psychologue de la Maison, une place au club, et le numéro de Marcel,
qui cherche quelqu'un pour l'aider à l'atelier.

Le soir, en fermant les volets, Awa pense que son métier n'a jamais été aussi proche de ce qu'elle rêvait
à vingt ans : soigner, oui, mais surtout relier.
""",
    ["Lien social", "Prévention", "Quartier"],
)

JARDIN = Sample(
    "Groupe Tilleul",
    ["Théo Lefèvre", "Camille Roux"],
    """# L'ordonnance verte

Le docteur Haddad a sorti son bloc, puis l'a reposé. « Madame Benali, je vais vous prescrire quelque
chose d'inhabituel. » Sur l'ordonnance, en 2040, il y a une ligne que tout le monde connaît désormais :
**trois après-midi par semaine au jardin partagé des Tilleuls**, remboursés comme un médicament.

Fatima Benali a soixante-huit ans, du diabète et une tension qui ne baisse pas. Elle a aussi, sans l'avoir
dit à personne, une immense envie de toucher la terre. Chez elle, au Maroc, sa mère cultivait des fèves et
de la menthe.

Au jardin, elle rencontre Sacha, vingt-trois ans, qui sort d'une longue dépression et arrose les tomates
avec une application méticuleuse. Ils ne se parlent pas la première semaine. La deuxième, Sacha lui
demande comment on fait pousser la menthe sans qu'elle envahisse tout. Fatima rit pour la première fois
depuis des mois.

## Six mois plus tard

- sa glycémie est stable ;
- elle marche quarante minutes chaque jour, pour aller au jardin et en revenir ;
- elle a appris à Sacha à faire le thé à la menthe, et Sacha lui a appris à envoyer des photos à ses
  petits-enfants.

Le docteur Haddad, lui, note dans le dossier partagé une donnée qui n'existait pas en 2020 : *se sent
utile — oui*. En 2040, c'est un indicateur de santé comme un autre. Peut-être le plus important.
""",
    ["Nature", "Prévention", "Santé mentale"],
)

CAR = Sample(
    "Les Passeurs",
    ["Nadia Haddad", "Lucas Petit", "Élodie Martin", "Hugo Bernard"],
    """# Le car de santé du plateau

Sur le plateau de Millevaches, le dernier médecin est parti en 2031. En 2040, c'est le car qui vient :
un ancien bus scolaire, repeint en vert sapin, avec une salle de consultation, un petit laboratoire et,
au fond, un coin café où l'on attend en discutant.

Élise conduit le car et connaît tout le monde. Elle sait que le père Vialle ne viendra pas si on ne passe
pas le chercher, et que la petite des Fabre a peur des aiguilles mais pas des chiens : alors Pilote, le
chien d'Élise, reste à côté d'elle pendant la prise de sang.

## Soigner à distance, mais pas seul

La téléconsultation n'a pas remplacé les visites ; elle les a complétées. Dans le car, une infirmière en
pratique avancée examine, et un médecin de Limoges écoute, voit, pose des questions. Personne ne reste
seul face à un écran.

Les habitants ont voté le trajet du car, village par village, lors de la consultation citoyenne de 2036.
Ils ont aussi voté pour que le car s'arrête **devant l'école le mercredi** et **au marché le samedi** :
c'est là que les gens sont, alors c'est là que la santé va.

Quand le car repart, le soir, Élise klaxonne deux fois devant la ferme Vialle. Le vieil homme lève la
main depuis son tracteur. Sur le plateau, ça veut dire : tout va bien, à la semaine prochaine.
""",
    ["Ruralité", "Accès aux soins"],
)

SAMPLES = [MAISON, JARDIN, CAR]

GLYCINES = Sample(
    "Les Glycines",
    ["Rose Lambert", "Karim Ait", "Jeanne Morel"],
    """# La colocation des Glycines

Au deuxième étage de la résidence des Glycines, à Besançon, vivent Simone, quatre-vingt-onze ans, et Yanis,
vingt et un ans, étudiant infirmier. Le loyer de Yanis est divisé par deux ; en échange, il partage le
dîner trois soirs par semaine et aide Simone à descendre au marché le samedi.

Personne n'avait prévu qu'ils deviendraient amis. Simone corrige les fiches de pharmacologie de Yanis —
elle a été préparatrice pendant quarante ans — et Yanis lui a appris à appeler sa petite-fille en vidéo,
à Montréal.

Quand Simone est tombée, en février, c'est Yanis qui l'a trouvée, et c'est l'équipe du quartier qui a
organisé son retour à la maison plutôt qu'en établissement. Trois semaines plus tard, elle remontait les
escaliers, lentement, en se moquant de lui parce qu'il comptait les marches à voix haute.
""",
    ["Vieillir", "Intergénérationnel"],
)

BANC = Sample(
    "Le Banc",
    ["Paul Girard", "Sofia Mendes"],
    """# Le banc qui écoute

Sur la place du village, il y a un banc peint en jaune. Tout le monde sait ce qu'il veut dire : *si vous
vous asseyez ici, quelqu'un viendra vous parler.*

L'idée est venue d'un atelier de 2034, quand les habitants de Saint-Julien ont cherché comment lutter
contre l'isolement des plus âgés sans rien construire de nouveau. Ils ont simplement repeint un banc.

Depuis, les bénévoles de l'association passent deux fois par jour. Les enfants aussi, en sortant de
l'école. Monsieur Perrin, qui ne parlait plus à personne depuis la fermeture de la scierie, y raconte
maintenant l'histoire du village à qui veut l'entendre. Le médecin dit que sa tension n'a jamais été aussi
bonne.
""",
    ["Vieillir", "Lien social"],
)

LILA = Sample(
    "Souffle",
    ["Chloé Fabre", "Mehdi Saïdi", "Anna Kowalski"],
    """# Ce que respire Lila

Lila a neuf ans et, pour la première fois de sa vie, elle n'a pas pris son inhalateur de tout le mois
d'octobre. Sa mère a noté la date dans le carnet de santé, avec un petit cœur.

Depuis que la rue de l'école est devenue une rue-jardin, les voitures ne passent plus devant les classes.
Les capteurs installés par les élèves eux-mêmes affichent, à l'entrée, la qualité de l'air du jour : vert,
presque tous les matins.

> « On ne savait pas qu'on pouvait changer l'air », dit Lila. « Maintenant on sait. »

Le pédiatre du quartier a compté : les crises d'asthme ont baissé d'un tiers en deux ans. Mais ce que Lila
retient, c'est autre chose. Le mercredi, elle traverse la ville à vélo avec son père, sur la piste
protégée, et elle arrive la première au parc.
""",
    ["Environnement", "Enfance", "Prévention"],
)


def build_collection(
    title: str = "La santé en 2040",
    question: str = QUESTION,
    samples: list[Sample] | None = None,
    **kwargs: object,
) -> Workshop:
    """A French workshop whose groups wrote `samples` (all three by default), participants included."""
    samples = SAMPLES if samples is None else samples
    workshop = factories.workshop(
        groups=len(samples), title=title, question=question, language="fr", **kwargs
    )
    for group, sample in zip(workshop.groups, samples, strict=True):
        group.name = sample.group
        authors = [factories.participant(group, name)[0] for name in sample.authors]
        factories.story_text(factories.story_of(group), sample.text, author=authors[0])
    return workshop


def publish(story: Story, sample: Sample, **kwargs: Any) -> Story:
    """Publish a sample story the way its facilitator would: the defaults plus the sample's themes."""
    draft = publishing.draft_of(story)
    draft.themes = list(sample.themes)
    return publishing.publish(story, draft, **kwargs)
