"""Demo legal notice and privacy policy (French source, English translation)."""

LEGAL = {
    "fr": {
        "title": "Mentions légales",
        "slug": "mentions-legales",
        "intro": "Informations sur l’éditeur et l’hébergeur de ce site.",
        "body": [
            ("heading", {"text": "Site de démonstration", "level": "h2"}),
            (
                "paragraph",
                "<p>Ce site et son contenu sont une démonstration. Les informations ci-dessous sont des exemples à remplacer par celles de l’éditeur réel avant toute mise en ligne.</p>",
            ),
            ("heading", {"text": "Éditeur", "level": "h2"}),
            (
                "paragraph",
                '<p>Le site est édité par les associations porteuses de la lettre ouverte, représentées par leurs présidences. Directeur ou directrice de la publication : la présidence de l’association éditrice.</p><p>Contact : <a href="mailto:contact@example.org">contact@example.org</a>.</p>',
            ),
            ("heading", {"text": "Hébergement", "level": "h2"}),
            (
                "paragraph",
                "<p>Le site est hébergé dans l’Union européenne par un prestataire dont le nom, l’adresse et le téléphone doivent figurer ici.</p>",
            ),
            ("heading", {"text": "Propriété intellectuelle", "level": "h2"}),
            (
                "paragraph",
                "<p>Les textes de la lettre ouverte et des prises de position peuvent être librement cités et reproduits, à condition d’en mentionner la source.</p>",
            ),
        ],
    },
    "en": {
        "title": "Legal notice",
        "slug": "legal-notice",
        "intro": "Information about the publisher and the host of this site.",
        "body": [
            ("heading", {"text": "Demonstration site", "level": "h2"}),
            (
                "paragraph",
                "<p>This site and its content are a demonstration. The details below are examples to be replaced by the real publisher’s before going live.</p>",
            ),
            ("heading", {"text": "Publisher", "level": "h2"}),
            (
                "paragraph",
                '<p>The site is published by the associations behind the open letter, represented by their presidents. Publication director: the president of the publishing association.</p><p>Contact: <a href="mailto:contact@example.org">contact@example.org</a>.</p>',
            ),
            ("heading", {"text": "Hosting", "level": "h2"}),
            (
                "paragraph",
                "<p>The site is hosted in the European Union by a provider whose name, address and telephone number must appear here.</p>",
            ),
            ("heading", {"text": "Intellectual property", "level": "h2"}),
            (
                "paragraph",
                "<p>The texts of the open letter and position papers may be freely quoted and reproduced, provided the source is given.</p>",
            ),
        ],
    },
}

PRIVACY = {
    "fr": {
        "title": "Politique de confidentialité",
        "slug": "confidentialite",
        "intro": (
            "Signer une lettre ouverte révèle une opinion politique. Voici qui traite vos données, "
            "pourquoi, sur quelle base, pour combien de temps, et comment exercer vos droits."
        ),
        "body": [
            ("heading", {"text": "Qui collecte vos données", "level": "h2"}),
            (
                "paragraph",
                '<p>Le responsable du traitement est l’association éditrice du site, au nom des associations porteuses de la lettre ouverte. Vous pouvez la joindre à <a href="mailto:contact@example.org">contact@example.org</a>.</p>',
            ),
            ("heading", {"text": "Pourquoi", "level": "h2"}),
            (
                "paragraph",
                "<ul><li>Enregistrer votre signature de la lettre ouverte et la confirmer par courriel.</li><li>Vérifier la qualité des élus et des collectivités signataires.</li><li>Publier votre nom dans la liste des signataires, seulement si vous l’avez accepté.</li><li>Vous envoyer les nouvelles de la campagne, seulement si vous l’avez demandé.</li><li>Remettre la lettre et la liste des signataires publics à ses destinataires.</li></ul>",
            ),
            ("heading", {"text": "Sur quelle base légale", "level": "h2"}),
            (
                "paragraph",
                "<p>Signer une lettre ouverte revient à exprimer une opinion politique, une catégorie particulière de données au sens de l’article 9 du RGPD. Nous ne la traitons qu’avec votre <strong>consentement explicite</strong>, recueilli par des cases distinctes et jamais précochées : signer la lettre, apparaître dans la liste publique, recevoir les nouvelles de la campagne. Vous pouvez retirer chacun de ces consentements à tout moment.</p>",
            ),
            ("heading", {"text": "Quelles données", "level": "h2"}),
            (
                "paragraph",
                "<p>Sont obligatoires : votre nom, votre prénom, votre adresse électronique et votre catégorie de signataire (et, pour les élus et les collectivités, la fonction ou la collectivité représentée). Sont facultatifs : votre titre, votre établissement ou organisation, votre commune ou code postal. Votre adresse électronique n’est jamais publiée. Votre adresse IP n’est conservée que sous une forme hachée et salée, pour lutter contre les abus.</p>",
            ),
            ("heading", {"text": "Combien de temps", "level": "h2"}),
            (
                "paragraph",
                "<p>Les signatures sont anonymisées six mois après la clôture de la campagne. Les contacts inscrits aux nouvelles de la campagne sont conservés au plus trois ans après leur dernier contact avec nous, conformément aux recommandations de la CNIL.</p>",
            ),
            ("heading", {"text": "Qui les reçoit", "level": "h2"}),
            (
                "paragraph",
                "<p>Seules les équipes des associations porteuses y ont accès. Les nouvelles de la campagne sont envoyées par notre prestataire d’envoi de courriels, qui agit comme sous-traitant. Les destinataires de la lettre ne reçoivent que la liste des signataires ayant accepté d’être affichés publiquement.</p>",
            ),
            ("heading", {"text": "Vos droits et comment les exercer", "level": "h2"}),
            (
                "paragraph",
                '<p>Vous disposez d’un droit d’accès, de rectification, d’effacement, de limitation et d’opposition, ainsi que du droit de retirer votre consentement. Chaque courriel que nous vous envoyons contient un lien pour retirer votre signature et effacer vos données. Vous pouvez aussi demander une copie de vos données depuis le site, par un lien envoyé à votre adresse, ou nous écrire à <a href="mailto:contact@example.org">contact@example.org</a>.</p><p>Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la CNIL (cnil.fr).</p>',
            ),
        ],
    },
    "en": {
        "title": "Privacy policy",
        "slug": "privacy-policy",
        "intro": (
            "Signing an open letter reveals a political opinion. Here is who processes your data, "
            "why, on what basis, for how long, and how to exercise your rights."
        ),
        "body": [
            ("heading", {"text": "Who collects your data", "level": "h2"}),
            (
                "paragraph",
                '<p>The controller is the association that publishes this site, on behalf of the associations behind the open letter. You can reach it at <a href="mailto:contact@example.org">contact@example.org</a>.</p>',
            ),
            ("heading", {"text": "Why", "level": "h2"}),
            (
                "paragraph",
                "<ul><li>To record your signature of the open letter and confirm it by email.</li><li>To check the status of signing elected officials and local authorities.</li><li>To publish your name in the list of signatories, only if you agreed.</li><li>To send you campaign news, only if you asked for it.</li><li>To deliver the letter and the list of public signatories to its addressees.</li></ul>",
            ),
            ("heading", {"text": "On what legal basis", "level": "h2"}),
            (
                "paragraph",
                "<p>Signing an open letter expresses a political opinion, a special category of data under Article 9 of the GDPR. We only process it with your <strong>explicit consent</strong>, given through separate boxes that are never pre-ticked: to sign the letter, to appear in the public list, to receive campaign news. You can withdraw each of these consents at any time.</p>",
            ),
            ("heading", {"text": "Which data", "level": "h2"}),
            (
                "paragraph",
                "<p>Required: your last name, first name, email address and signatory category (and, for elected officials and local authorities, the office or the authority represented). Optional: your title, your establishment or organisation, your commune or postcode. Your email address is never published. Your IP address is only kept as a salted hash, to fight abuse.</p>",
            ),
            ("heading", {"text": "For how long", "level": "h2"}),
            (
                "paragraph",
                "<p>Signatures are anonymised six months after the campaign closes. Contacts who subscribed to campaign news are kept at most three years after their last contact with us, as the CNIL recommends.</p>",
            ),
            ("heading", {"text": "Who receives them", "level": "h2"}),
            (
                "paragraph",
                "<p>Only the teams of the associations behind the letter have access. Campaign news is sent by our email service provider, acting as a processor. The letter’s addressees only receive the list of signatories who agreed to be shown publicly.</p>",
            ),
            ("heading", {"text": "Your rights and how to exercise them", "level": "h2"}),
            (
                "paragraph",
                '<p>You have the right to access, correct and erase your data, to restrict or object to its processing, and to withdraw your consent. Every email we send you contains a link to withdraw your signature and erase your data. You can also request a copy of your data from the site, through a link sent to your address, or write to us at <a href="mailto:contact@example.org">contact@example.org</a>.</p><p>If you believe your rights are not respected, you can lodge a complaint with the CNIL (cnil.fr), the French data protection authority.</p>',
            ),
        ],
    },
}
