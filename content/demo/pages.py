"""Demo position papers, news and legal pages (French source, English translation)."""

HOME = {
    "fr": {
        "title": "Le numérique en bibliothèque est un service public",
        "slug": "accueil",
        "hero_kicker": "Lettre ouverte · Bibliothèques publiques",
        "intro": (
            "Les associations de bibliothécaires appellent l’État et les collectivités à garantir une "
            "offre numérique pluraliste, accessible à toutes et à tous. Élus, professionnels, "
            "associations, citoyens : signez la lettre ouverte."
        ),
        "call_to_action": "Signer la lettre",
        "seo_description": (
            "Campagne des associations de bibliothécaires pour un service public numérique des "
            "bibliothèques : lisez et signez la lettre ouverte."
        ),
    },
    "en": {
        "title": "Digital services in libraries are a public service",
        "slug": "home",
        "hero_kicker": "Open letter · Public libraries",
        "intro": (
            "Library associations call on the State and local authorities to guarantee a pluralist "
            "digital offer, open to everyone. Elected officials, professionals, associations, "
            "citizens: sign the open letter."
        ),
        "call_to_action": "Sign the letter",
        "seo_description": (
            "A campaign by library associations for a digital public service in libraries: read "
            "and sign the open letter."
        ),
    },
}

PAPERS = [
    {
        "fr": {
            "title": "Un modèle économique des ressources numériques adapté aux collectivités",
            "slug": "modele-economique-ressources-numeriques",
            "authors": "Commission numérique de l’ABF",
            "summary": (
                "Les conditions d’acquisition des livres numériques, de la presse en ligne et des "
                "plateformes d’autoformation pèsent lourdement sur les budgets des collectivités. Cette "
                "note décrit les modèles de licence en vigueur, leurs effets sur les collections et "
                "propose les principes d’un modèle plus juste, à négocier entre pouvoirs publics et "
                "opérateurs privés."
            ),
            "body": [
                ("heading", {"text": "Le constat", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Une bibliothèque qui acquiert un livre imprimé le possède, le prête et le conserve. Pour un livre numérique, elle n’acquiert le plus souvent qu’un droit d’usage, limité dans le temps (souvent quelques années) ou en nombre de prêts. Au terme de la licence, le titre disparaît du catalogue, et il faut payer de nouveau pour le proposer.</p><p>Les ressources en ligne (presse, musique, cinéma, formation) sont, elles, vendues par abonnement, souvent en bouquets dont la composition échappe aux bibliothécaires. Les tarifs sont calculés sur la population desservie plutôt que sur les usages réels, ce qui pénalise les territoires ruraux et les petites communes.</p>",
                ),
                ("heading", {"text": "Les effets sur le service public", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Ces modèles rendent les budgets imprévisibles et fragilisent la continuité des collections. Ils favorisent les catalogues des plus grands fournisseurs au détriment de la diversité éditoriale. Ils creusent enfin l’écart entre les bibliothèques des grandes villes, capables de négocier, et celles des petites collectivités, qui renoncent souvent à toute offre numérique.</p>",
                ),
                ("heading", {"text": "Nos propositions", "level": "h2"}),
                (
                    "paragraph",
                    "<ul><li>Des licences pérennes ou de longue durée pour les titres du fonds, à côté des licences temporaires pour les nouveautés.</li><li>Une tarification fondée sur les usages constatés, avec un plafond pour les petites collectivités.</li><li>La possibilité de composer librement ses abonnements, titre par titre.</li><li>Des groupements de commande régionaux ou nationaux, appuyés sur l’expertise du Réseau Carel.</li><li>Une instance de concertation réunissant l’État, les associations d’élus, les professionnels et les opérateurs privés.</li></ul>",
                ),
            ],
        },
        "en": {
            "title": "An economic model for digital resources suited to local authorities",
            "slug": "economic-model-digital-resources",
            "authors": "ABF digital committee",
            "summary": (
                "The terms on which libraries acquire e-books, online press and self-training "
                "platforms weigh heavily on local budgets. This paper describes the licensing models in "
                "use, their effects on collections, and proposes the principles of a fairer model to be "
                "negotiated between public authorities and private operators."
            ),
            "body": [
                ("heading", {"text": "The situation", "level": "h2"}),
                (
                    "paragraph",
                    "<p>A library that buys a printed book owns it, lends it and keeps it. For an e-book it usually only buys a right of use, limited in time (often a few years) or in number of loans. When the licence ends, the title disappears from the catalogue and must be paid for again.</p><p>Online resources (press, music, film, training) are sold by subscription, often in bundles whose content librarians do not choose. Prices are based on the population served rather than actual use, which penalises rural areas and small communes.</p>",
                ),
                ("heading", {"text": "The effects on the public service", "level": "h2"}),
                (
                    "paragraph",
                    "<p>These models make budgets unpredictable and weaken the continuity of collections. They favour the catalogues of the largest suppliers at the expense of editorial diversity. Finally, they widen the gap between libraries in large cities, which can negotiate, and those of small authorities, which often give up any digital offer.</p>",
                ),
                ("heading", {"text": "Our proposals", "level": "h2"}),
                (
                    "paragraph",
                    "<ul><li>Perpetual or long licences for backlist titles, alongside temporary licences for new releases.</li><li>Pricing based on actual use, with a cap for small authorities.</li><li>The freedom to compose subscriptions title by title.</li><li>Regional or national purchasing groups, drawing on the expertise of the Réseau Carel.</li><li>A concertation body bringing together the State, associations of elected officials, professionals and private operators.</li></ul>",
                ),
            ],
        },
    },
    {
        "fr": {
            "title": "Coopérer et mutualiser : les territoires au service de la lecture publique numérique",
            "slug": "cooperation-mutualisation",
            "authors": "Association des Bibliothécaires Départementaux",
            "summary": (
                "Les bibliothèques départementales et les réseaux intercommunaux montrent qu’une offre "
                "numérique partagée coûte moins cher et touche davantage d’habitants. Cette note tire "
                "les leçons de ces expériences et propose les conditions d’une coopération durable "
                "entre communes, intercommunalités, départements et régions."
            ),
            "body": [
                ("heading", {"text": "Ce que montrent les réseaux", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Dans de nombreux départements, la bibliothèque départementale négocie et finance une offre numérique mise à disposition de toutes les bibliothèques du réseau, y compris dans les communes de quelques centaines d’habitants. Les intercommunalités qui ont mis en réseau leurs médiathèques proposent une carte unique et un catalogue commun.</p><p>Ces dispositifs élargissent l’accès, réduisent les coûts unitaires et permettent aux équipes de partager leur expertise : sélection des ressources, médiation, formation des publics.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "Aucune bibliothèque ne devrait être seule face à ses fournisseurs.",
                        "attribution": "Une directrice de bibliothèque départementale",
                    },
                ),
                ("heading", {"text": "Les obstacles", "level": "h2"}),
                (
                    "paragraph",
                    "<p>La coopération repose encore trop souvent sur la bonne volonté de quelques personnes. Les compétences sont réparties entre plusieurs niveaux de collectivités, les calendriers budgétaires diffèrent, et les contrats des fournisseurs ne prévoient pas toujours la mutualisation.</p>",
                ),
                ("heading", {"text": "Nos propositions", "level": "h2"}),
                (
                    "paragraph",
                    "<ul><li>Inscrire l’offre numérique dans les schémas départementaux de lecture publique.</li><li>Créer dans chaque région une instance de concertation professionnelle entre collectivités.</li><li>Soutenir financièrement les projets numériques mutualisés.</li><li>Exiger des fournisseurs des clauses de mutualisation dans les marchés publics.</li></ul>",
                ),
            ],
        },
        "en": {
            "title": "Cooperate and pool: territories serving digital public reading",
            "slug": "cooperation-pooling",
            "authors": "Association des Bibliothécaires Départementaux",
            "summary": (
                "County libraries and intercommunal networks show that a shared digital offer costs "
                "less and reaches more people. This paper draws lessons from these experiences and "
                "sets out the conditions for lasting cooperation between communes, intercommunal "
                "bodies, départements and regions."
            ),
            "body": [
                ("heading", {"text": "What networks show", "level": "h2"}),
                (
                    "paragraph",
                    "<p>In many départements, the county library negotiates and funds a digital offer made available to every library in its network, including in communes of a few hundred inhabitants. Intercommunal bodies that have networked their libraries offer a single card and a shared catalogue.</p><p>These arrangements widen access, reduce unit costs and let teams share their expertise: choosing resources, mediation, training the public.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "No library should face its suppliers alone.",
                        "attribution": "The director of a county library",
                    },
                ),
                ("heading", {"text": "The obstacles", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Cooperation still too often relies on the goodwill of a few people. Responsibilities are spread across several levels of local government, budget calendars differ, and suppliers’ contracts do not always allow pooling.</p>",
                ),
                ("heading", {"text": "Our proposals", "level": "h2"}),
                (
                    "paragraph",
                    "<ul><li>Include the digital offer in departmental public reading plans.</li><li>Create, in each region, a professional concertation body between local authorities.</li><li>Fund pooled digital projects.</li><li>Require pooling clauses from suppliers in public contracts.</li></ul>",
                ),
            ],
        },
    },
]

NEWS_INDEX = {
    "fr": {
        "title": "Actualités",
        "slug": "actualites",
        "intro": "Les nouvelles de la campagne pour un service public numérique des bibliothèques.",
    },
    "en": {
        "title": "News",
        "slug": "news",
        "intro": "News from the campaign for a digital public service in libraries.",
    },
}

NEWS = [
    {
        "fr": {
            "title": "La lettre ouverte est publiée : signez et faites signer",
            "slug": "lancement-lettre-ouverte",
            "intro": (
                "Les associations de bibliothécaires publient leur lettre ouverte sur l’offre numérique "
                "des bibliothèques publiques. Élus, professionnels et citoyens peuvent la signer dès "
                "aujourd’hui."
            ),
            "body": [
                (
                    "paragraph",
                    "<p>Après plusieurs mois de travail commun, l’ABF et l’ABD rendent publique leur lettre ouverte adressée à la ministre de la Culture, aux parlementaires et aux associations d’élus. Elle demande davantage de coopération entre collectivités, des moyens à la hauteur de la mission des bibliothèques et une concertation pour construire un modèle économique adapté.</p>",
                ),
                (
                    "paragraph",
                    "<p>Les collectivités peuvent signer en tant qu’institutions, par l’intermédiaire de leur représentant ; les élus, les professionnels des bibliothèques, les associations et les particuliers peuvent signer à titre individuel. Chaque signature est confirmée par courriel.</p>",
                ),
                ("heading", {"text": "Prochaines étapes", "level": "h2"}),
                (
                    "paragraph",
                    "<p>La lettre et ses signataires seront remis aux destinataires lorsque l’objectif de 5 000 signatures sera atteint. Les réponses reçues seront publiées sur ce site.</p>",
                ),
            ],
        },
        "en": {
            "title": "The open letter is out: sign it and share it",
            "slug": "launch-open-letter",
            "intro": (
                "Library associations publish their open letter on the digital offer of public "
                "libraries. Elected officials, professionals and citizens can sign it from today."
            ),
            "body": [
                (
                    "paragraph",
                    "<p>After several months of joint work, the ABF and the ABD publish their open letter to the Minister of Culture, members of parliament and associations of elected officials. It asks for more cooperation between local authorities, means that match the mission of libraries, and a concertation to build a suitable economic model.</p>",
                ),
                (
                    "paragraph",
                    "<p>Local authorities can sign as institutions, through their representative; elected officials, library professionals, associations and individuals can sign in their own name. Every signature is confirmed by email.</p>",
                ),
                ("heading", {"text": "Next steps", "level": "h2"}),
                (
                    "paragraph",
                    "<p>The letter and its signatories will be delivered to its addressees once the goal of 5,000 signatures is reached. The answers received will be published on this site.</p>",
                ),
            ],
        },
    },
]
