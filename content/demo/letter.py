"""Demo open letter, in French (source) and English. Written from the campaign guide's facts."""

FR = {
    "title": "Pour un service public numérique des bibliothèques",
    "slug": "lettre-ouverte",
    "intro": (
        "Les associations de bibliothécaires interpellent l’État, les collectivités et les acteurs "
        "du marché : sans moyens, sans coopération et sans modèle économique adapté, l’offre numérique "
        "des bibliothèques publiques ne pourra pas remplir sa mission civique et inclusive."
    ),
    "seo_description": (
        "Lettre ouverte des associations de bibliothécaires pour une offre numérique publique, "
        "pluraliste et soutenable dans les bibliothèques des collectivités territoriales."
    ),
    "addressees": (
        "Madame la ministre de la Culture\n"
        "Mesdames et Messieurs les parlementaires\n"
        "Mesdames et Messieurs les présidentes et présidents des associations d’élus\n"
        "Mesdames et Messieurs les élus des collectivités territoriales"
    ),
    "closing": (
        "Association des Bibliothécaires de France (ABF)\n"
        "Association des Bibliothécaires Départementaux (ABD)\n"
        "et les organisations cosignataires"
    ),
    "body": [
        ("paragraph", "<p>Mesdames et Messieurs,</p>"),
        (
            "paragraph",
            "<p>Chaque jour, des millions de personnes franchissent la porte d’une bibliothèque "
            "publique, et un nombre croissant d’entre elles le fait sans se déplacer : pour emprunter "
            "un livre numérique, suivre une formation en ligne, consulter la presse, apprendre une "
            "langue ou accomplir une démarche administrative avec l’aide d’un professionnel. Le "
            "numérique n’est plus un supplément d’âme des bibliothèques : il est devenu une part "
            "essentielle du service public de la lecture et de l’accès à l’information.</p>",
        ),
        (
            "paragraph",
            "<p>Or ce service est aujourd’hui fragilisé. Nous, associations de bibliothécaires, "
            "constatons que les collectivités territoriales, qui portent l’immense majorité des "
            "bibliothèques de notre pays, traversent des difficultés budgétaires qui freinent le "
            "développement d’une offre numérique riche. Là où elle existe, cette offre sert pourtant "
            "des usages citoyens et inclusifs que personne d’autre n’assure : l’accès gratuit et "
            "sans publicité à des contenus de qualité, l’accompagnement des publics éloignés du "
            "numérique, la formation à l’esprit critique face à l’information.</p>",
        ),
        (
            "heading",
            {
                "text": "Des modèles économiques qui ne conviennent pas aux bibliothèques",
                "level": "h2",
            },
        ),
        (
            "paragraph",
            "<p>Les bibliothèques dépendent de modèles économiques conçus pour d’autres marchés. "
            "Licences limitées dans le temps ou en nombre de prêts, tarifs sans rapport avec les "
            "usages réels, abonnements groupés imposant des contenus que personne n’a choisis : ces "
            "conditions manquent de souplesse et ne permettent pas aux équipes de construire des "
            "collections cohérentes, ni aux élus de prévoir sereinement leurs budgets.</p>",
        ),
        (
            "paragraph",
            "<p>Le marché des ressources numériques est par ailleurs très concentré. Une poignée "
            "d’acteurs commerciaux fixent les règles, et leur pression menace le pluralisme comme la "
            "qualité et l’intégrité des collections. Quand un catalogue entier peut disparaître à la "
            "fin d’un contrat, quand l’offre proposée est dictée par la rentabilité plutôt que par "
            "la diversité éditoriale, c’est la mission même des bibliothèques qui est remise en "
            "cause.</p>",
        ),
        (
            "quote",
            {
                "text": "Nous refusons que la culture se réduise à des plateformes qui décident, à la place "
                "des citoyens et de leurs élus, de ce qui mérite d’être lu, vu ou écouté.",
                "attribution": "",
            },
        ),
        ("heading", {"text": "Une « plateformisation » de la culture", "level": "h2"}),
        (
            "paragraph",
            "<p>Nous assistons à une plateformisation de la culture. Les usages se concentrent sur "
            "quelques services dont les algorithmes orientent les choix, dont les conditions "
            "évoluent unilatéralement et dont les données échappent aux acteurs publics. Les "
            "bibliothèques, espaces neutres, gratuits et ouverts à toutes et à tous, doivent pouvoir "
            "offrir une alternative à ce modèle. Elles ne le pourront que si les pouvoirs publics "
            "leur en donnent les moyens.</p>",
        ),
        (
            "paragraph",
            "<p>Des forums de coopération existent déjà, comme le Réseau Carel, qui rassemble les "
            "bibliothèques autour de l’accès aux ressources numériques. Ils montrent qu’une "
            "négociation collective et une expertise partagée donnent de meilleurs résultats que "
            "l’isolement de chaque établissement face à ses fournisseurs. Il est temps de changer "
            "d’échelle.</p>",
        ),
        (
            "demands",
            {
                "heading": "Nous demandons",
                "demands": [
                    {
                        "title": "Davantage de coopération entre collectivités territoriales",
                        "text": "<p>Une concertation professionnelle organisée entre communes, "
                        "intercommunalités, départements et régions, et la mutualisation des projets "
                        "numériques pour que chaque bibliothèque, même la plus petite, accède à une "
                        "offre de qualité.</p>",
                    },
                    {
                        "title": "Des moyens à la hauteur de la mission",
                        "text": "<p>Des crédits identifiés et pérennes pour l’offre numérique des "
                        "bibliothèques, afin que l’accès à la culture et à l’information en ligne ne "
                        "dépende pas de la richesse d’un territoire.</p>",
                    },
                    {
                        "title": "Un modèle économique adapté aux collectivités",
                        "text": "<p>Une concertation entre pouvoirs publics et opérateurs privés pour "
                        "construire des conditions de licence et de tarification adaptées aux "
                        "collectivités territoriales, garantissant le pluralisme et la pérennité des "
                        "collections.</p>",
                    },
                ],
            },
        ),
        (
            "paragraph",
            "<p>Les bibliothèques ont toujours su accompagner les transformations de la société. "
            "Pour qu’elles gardent leur place dans une société numérique, nous appelons l’État, les "
            "collectivités et l’ensemble des acteurs du livre et de l’information à se mettre autour "
            "de la table. Les élus locaux, les professionnels des bibliothèques, les associations et "
            "les citoyens qui partagent cette ambition sont invités à signer cette lettre.</p>",
        ),
        (
            "paragraph",
            "<p>Nous vous prions d’agréer, Mesdames et Messieurs, l’expression de notre haute "
            "considération.</p>",
        ),
    ],
}

EN = {
    "title": "For a digital public service in libraries",
    "slug": "open-letter",
    "intro": (
        "Library associations call on the State, local authorities and market players: without "
        "means, without cooperation and without a suitable economic model, the digital offer of "
        "public libraries cannot fulfil its civic and inclusive mission."
    ),
    "seo_description": (
        "Open letter from library associations for a public, pluralist and sustainable digital "
        "offer in the libraries of French local authorities."
    ),
    "addressees": (
        "The Minister of Culture\n"
        "Members of Parliament\n"
        "The presidents of the associations of elected officials\n"
        "Elected officials of local authorities"
    ),
    "closing": (
        "Association des Bibliothécaires de France (ABF)\n"
        "Association des Bibliothécaires Départementaux (ABD)\n"
        "and the co-signing organisations"
    ),
    "body": [
        ("paragraph", "<p>Dear Minister, dear elected representatives,</p>"),
        (
            "paragraph",
            "<p>Every day, millions of people walk through the door of a public library, and more "
            "and more of them do so without leaving home: to borrow an e-book, follow an online "
            "course, read the press, learn a language or complete an administrative procedure with "
            "the help of a professional. Digital services are no longer an extra for libraries: "
            "they have become an essential part of the public service of reading and access to "
            "information.</p>",
        ),
        (
            "paragraph",
            "<p>Yet this service is now under strain. As library associations, we see that local "
            "authorities, which run the vast majority of libraries in our country, face budget "
            "difficulties that hold back the development of a rich digital offer. Where such an "
            "offer exists, it serves civic and inclusive uses that nobody else provides: free, "
            "advertising-free access to quality content, support for people who struggle with "
            "digital tools, and training in critical thinking about information.</p>",
        ),
        ("heading", {"text": "Economic models that do not suit libraries", "level": "h2"}),
        (
            "paragraph",
            "<p>Libraries depend on economic models designed for other markets. Licences limited "
            "in time or in number of loans, prices unrelated to actual use, bundled subscriptions "
            "imposing content nobody chose: these terms lack flexibility, prevent teams from "
            "building coherent collections and keep elected officials from planning their budgets "
            "with confidence.</p>",
        ),
        (
            "paragraph",
            "<p>The market for digital resources is also highly concentrated. A handful of "
            "commercial players set the rules, and their pressure threatens pluralism as well as "
            "the quality and integrity of collections. When a whole catalogue can vanish at the end "
            "of a contract, when what is offered is dictated by profitability rather than editorial "
            "diversity, the very mission of libraries is called into question.</p>",
        ),
        (
            "quote",
            {
                "text": "We refuse to let culture be reduced to platforms that decide, in place of "
                "citizens and their elected representatives, what deserves to be read, watched or "
                "heard.",
                "attribution": "",
            },
        ),
        ("heading", {"text": "The “platformisation” of culture", "level": "h2"}),
        (
            "paragraph",
            "<p>We are witnessing the platformisation of culture. Uses concentrate on a few "
            "services whose algorithms steer choices, whose terms change unilaterally and whose "
            "data escape public bodies. Libraries, neutral, free spaces open to all, must be able to "
            "offer an alternative to this model. They can only do so if public authorities give them "
            "the means.</p>",
        ),
        (
            "paragraph",
            "<p>Cooperation forums already exist, such as the Réseau Carel, which brings libraries "
            "together around access to digital resources. They show that collective negotiation and "
            "shared expertise achieve more than each library facing its suppliers alone. It is time "
            "to change scale.</p>",
        ),
        (
            "demands",
            {
                "heading": "We ask for",
                "demands": [
                    {
                        "title": "More cooperation between local authorities",
                        "text": "<p>Organised professional concertation between communes, "
                        "intercommunal bodies, départements and regions, and the pooling of digital "
                        "projects so that every library, even the smallest, has access to a quality "
                        "offer.</p>",
                    },
                    {
                        "title": "Means that match the mission",
                        "text": "<p>Dedicated, lasting funding for the digital offer of libraries, so "
                        "that access to culture and information online does not depend on the wealth "
                        "of a territory.</p>",
                    },
                    {
                        "title": "An economic model suited to local authorities",
                        "text": "<p>A concertation between public authorities and private operators "
                        "to build licensing and pricing terms suited to local authorities, that "
                        "guarantee pluralism and the durability of collections.</p>",
                    },
                ],
            },
        ),
        (
            "paragraph",
            "<p>Libraries have always kept pace with the changes of society. So that they keep their "
            "place in a digital society, we call on the State, local authorities and everyone "
            "working with books and information to come to the table. Local elected officials, "
            "library professionals, associations and citizens who share this ambition are invited "
            "to sign this letter.</p>",
        ),
        ("paragraph", "<p>Yours faithfully,</p>"),
    ],
}

COSIGNERS = [
    {
        "name": "Association des Bibliothécaires de France",
        "acronym": "ABF",
        "url": "https://www.abf.asso.fr/",
    },
    {
        "name": "Association des Bibliothécaires Départementaux",
        "acronym": "ABD",
        "url": "https://www.abd-asso.org/",
    },
]
