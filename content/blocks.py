"""StreamField blocks for the public site, built around one reusable BaseStreamBlock."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        help_text=_("Describe the image for people who cannot see it; leave empty if decorative."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)
    credit = blocks.CharBlock(label=_("Credit"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Quotation")
        template = "blocks/quote_block.html"


class CallToActionBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Button label"), max_length=80)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("or external address"), required=False)
    anchor = blocks.CharBlock(
        label=_("Anchor"),
        required=False,
        max_length=50,
        help_text=_("Optional fragment without #, e.g. 'signer' to jump to the signing form."),
    )

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "blocks/call_to_action_block.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url") and not value.get("anchor"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": blocks.BlockValidationError(
                        _("Choose a page, an address or an anchor.")
                    )
                }
            )
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Title"), required=False, help_text=_("Defaults to the document title.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "blocks/document_block.html"


class BaseStreamBlock(blocks.StreamBlock):
    """The blocks every body field offers."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), icon="pilcrow", template="blocks/paragraph_block.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    document = DocumentBlock()

    class Meta:
        label = _("Body")


class DemandBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Demand"), max_length=200)
    text = blocks.RichTextBlock(
        label=_("Explanation"), features=["bold", "italic", "link"], required=False
    )

    class Meta:
        icon = "list-ol"
        label = _("Demand")


class DemandsBlock(blocks.StructBlock):
    """The letter's numbered asks, set apart so readers find them at a glance."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=200)
    demands = blocks.ListBlock(DemandBlock(), label=_("Demands"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Demands")
        template = "blocks/demands_block.html"


class LetterStreamBlock(BaseStreamBlock):
    demands = DemandsBlock()
