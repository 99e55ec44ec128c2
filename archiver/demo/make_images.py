"""One-off script that drew the demo site's tiny images (needs Pillow, which is not a dependency).

The output is committed under ``site/wp-content/uploads/2019/07/``; ``build_site.py`` does not
touch it. Run: ``python -m archiver.demo.make_images``.
"""

from __future__ import annotations

from pathlib import Path

UPLOADS = Path(__file__).resolve().parent / "site" / "wp-content" / "uploads" / "2019" / "07"


def main() -> None:
    """Draw the images (simple shapes, no photos) and save them under ``UPLOADS``."""
    # Imported here: Pillow is optional and only this one-off script needs it.
    from PIL import Image, ImageDraw

    UPLOADS.mkdir(parents=True, exist_ok=True)

    img = Image.new("RGB", (120, 80), (200, 215, 230))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 60, 120, 80), fill=(90, 140, 70))
    d.rectangle((56, 30, 62, 70), fill=(110, 80, 50))
    d.rectangle((50, 18, 68, 32), fill=(184, 115, 51))
    img.save(UPLOADS / "rain-gauge.jpg", quality=60, optimize=True)

    img = Image.new("RGB", (120, 80), (150, 155, 160))
    d = ImageDraw.Draw(img)
    d.ellipse((-20, -10, 70, 30), fill=(120, 124, 130))
    d.ellipse((50, -5, 140, 28), fill=(128, 130, 136))
    for x in range(8, 120, 22):
        d.rectangle((x + 5, 50, x + 7, 72), fill=(90, 70, 50))
        d.ellipse((x - 2, 38, x + 14, 56), fill=(70, 110, 60))
    d.rectangle((0, 72, 120, 80), fill=(80, 120, 60))
    img.save(UPLOADS / "low-cloud.jpg", quality=60, optimize=True)

    img = Image.new("RGB", (120, 80), (170, 170, 175))
    d = ImageDraw.Draw(img)
    d.ellipse((10, 8, 110, 76), fill=(120, 120, 125))
    for x, y in ((30, 25), (55, 20), (75, 35), (40, 45), (65, 52)):
        d.ellipse((x, y, x + 16, y + 14), fill=(240, 150, 40))
    img.save(UPLOADS / "apricots.jpg", quality=60, optimize=True)

    img = Image.new("P", (120, 80), 0)
    img.putpalette([190, 210, 235, 60, 110, 50, 150, 170, 90, 120, 100, 80] + [0] * 756)
    d = ImageDraw.Draw(img)
    d.polygon([(0, 20), (45, 45), (45, 80), (0, 80)], fill=1)
    d.polygon([(120, 20), (75, 45), (75, 80), (120, 80)], fill=1)
    d.polygon([(45, 45), (75, 45), (85, 80), (35, 80)], fill=2)
    d.line([(60, 45), (60, 80)], fill=3, width=2)
    img.save(UPLOADS / "rail-line.png", optimize=True)

    img = Image.new("L", (96, 64), 245)
    d = ImageDraw.Draw(img)
    for y in range(8, 64, 12):
        d.line([(6, y), (90, y)], fill=170)
        for x in range(40, 40 + (y % 5 + 2) * 6, 6):
            d.line([(x, y - 8), (x, y - 2)], fill=40)
    img.save(UPLOADS / "tally-sheet.png", optimize=True)


if __name__ == "__main__":
    main()
