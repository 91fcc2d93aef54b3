package org.scorepipe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Particles;

class ImageGridTest {
    /** Two 2 x 3 grey images: pixel (i, j) of image t is worth t * 6 + i * 3 + j, drawn on [0, 11]. */
    @Test
    void eachTileHoldsItsImageRowByRowEnlargedAndClipped() {
        int h = 2;
        int w = 3;
        double[] data = new double[2 * h * w];
        for (int k = 0; k < data.length; k++) {
            data[k] = k;
        }
        ImageGrid grid = ImageGrid.of("g.png", "g", new Particles(2, h * w, 0, data, 0), List.of(h, w), 0, 11);
        int scale = (ImageGrid.MIN_TILE + w - 1) / w; // the longer side, 3, enlarged to at least MIN_TILE
        int gutter = 2;
        // Two tiles: two columns (ceil(sqrt(2))), one row.
        assertEquals(gutter + 2 * (w * scale + gutter), grid.width());
        assertEquals(gutter + (h * scale + gutter), grid.height());
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int expected = (int) Math.round((t * 6 + i * 3 + j) / 11.0 * 255);
                    // every pixel of the enlarged square, corners included
                    for (int[] corner : new int[][] {{0, 0}, {scale - 1, scale - 1}}) {
                        int x = gutter + t * (w * scale + gutter) + j * scale + corner[1];
                        int y = gutter + i * scale + corner[0];
                        int rgb = grid.image().getRGB(x, y) & 0xFFFFFF;
                        assertEquals(expected << 16 | expected << 8 | expected, rgb, "tile " + t + " pixel " + i + "," + j);
                    }
                }
            }
        }
        assertEquals(0x808080, grid.image().getRGB(0, 0) & 0xFFFFFF, "the gutter");
    }

    @Test
    void valuesOutsideTheRangeSaturateAndThreeChannelsAreRgb() {
        assertEquals(0, ImageGrid.level(-3, 0, 1));
        assertEquals(255, ImageGrid.level(7, 0, 1));
        assertEquals(0, ImageGrid.level(Double.NaN, 0, 1));
        assertEquals(128, ImageGrid.level(0, -1, 1), "0.5 * 255 rounds to 128");
        // One 1 x 1 image with channels (r, g, b) = (1, 0, 0.5) on [0, 1].
        ImageGrid rgb = ImageGrid.of("c.png", "c", new Particles(1, 3, 0, new double[] {1, 0, 0.5}, 0), List.of(3, 1, 1), 0, 1);
        assertEquals(0xFF0080, rgb.image().getRGB(2, 2) & 0xFFFFFF);
    }

    @Test
    void aShapeThatDoesNotHoldTheSampleIsRefused() {
        Particles x = new Particles(1, 5);
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.of("x.png", "x", x, List.of(2, 3), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.of("x.png", "x", x, List.of(5), 0, 1));
    }
}
