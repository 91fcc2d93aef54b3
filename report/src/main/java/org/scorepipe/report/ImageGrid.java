package org.scorepipe.report;

import static java.util.Objects.requireNonNull;

import java.awt.image.BufferedImage;
import java.util.List;
import org.scorepipe.api.Particles;

/**
 * A grid of the first particles of an ensemble drawn as images, for a data source whose samples
 * are images ({@link org.scorepipe.api.DataSource#shape()} {@code [h, w]} or {@code [c, h, w]},
 * flattened in C order): one tile per particle, row by row, each pixel's value mapped linearly
 * from {@code [lo, hi]} (the data's range) to 0..255 and clipped, so samples that leave the
 * data's range show as saturated rather than rescaled. One channel is grey, three are RGB; of
 * other counts the first channel is drawn. Tiles are enlarged by a whole factor to at least
 * {@link #MIN_TILE} pixels, and kept apart by a mid-grey gutter.
 *
 * @param file the PNG's name under {@code plots/}
 * @param caption what the grid shows
 * @param image the grid
 */
record ImageGrid(String file, String caption, BufferedImage image) {
    /** The number of tiles a grid shows at most: 8 x 8. */
    static final int TILES = 64;

    /** The smallest tile side, in pixels, after enlarging. */
    static final int MIN_TILE = 56;

    private static final int GUTTER_RGB = 0x808080;

    ImageGrid {
        requireNonNull(file, "file is null");
        requireNonNull(caption, "caption is null");
        requireNonNull(image, "image is null");
    }

    int width() {
        return image.getWidth();
    }

    int height() {
        return image.getHeight();
    }

    /** Whether samples of {@code shape} are images a grid can show. */
    static boolean isImage(List<Integer> shape) {
        return shape.size() == 2 || shape.size() == 3 && shape.get(0) >= 1;
    }

    /**
     * The grid of the first {@code min(n, TILES)} particles of {@code x}.
     *
     * @param shape the shape of one sample, {@code [h, w]} or {@code [c, h, w]}, whose product is x's dimension
     * @param lo the value drawn black
     * @param hi the value drawn white, {@code > lo}
     */
    static ImageGrid of(String file, String caption, Particles x, List<Integer> shape, double lo, double hi) {
        if (!isImage(shape)) {
            throw new IllegalArgumentException("not an image shape: " + shape);
        }
        int channels = shape.size() == 3 ? shape.get(0) : 1;
        int h = shape.get(shape.size() - 2);
        int w = shape.get(shape.size() - 1);
        int d = x.dimension();
        if ((long) channels * h * w != d) {
            throw new IllegalArgumentException("shape " + shape + " does not hold the " + d + " values of a sample");
        }
        if (!(hi > lo)) {
            throw new IllegalArgumentException("need lo < hi, got [" + lo + ", " + hi + "]");
        }
        int tiles = Math.min(x.size(), TILES);
        int columns = Math.max(1, (int) Math.ceil(Math.sqrt(tiles)));
        int rows = Math.max(1, (tiles + columns - 1) / columns);
        int scale = Math.max(1, (MIN_TILE + Math.max(h, w) - 1) / Math.max(h, w));
        int gutter = 2;
        int tileW = w * scale;
        int tileH = h * scale;
        BufferedImage image = new BufferedImage(gutter + columns * (tileW + gutter), gutter + rows * (tileH + gutter),
                BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < image.getHeight(); py++) {
            for (int px = 0; px < image.getWidth(); px++) {
                image.setRGB(px, py, GUTTER_RGB);
            }
        }
        double[] data = x.data();
        int plane = h * w;
        for (int t = 0; t < tiles; t++) {
            int x0 = gutter + (t % columns) * (tileW + gutter);
            int y0 = gutter + (t / columns) * (tileH + gutter);
            int row = t * d;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int p = i * w + j;
                    int rgb;
                    if (channels == 3) {
                        rgb = level(data[row + p], lo, hi) << 16 | level(data[row + plane + p], lo, hi) << 8
                                | level(data[row + 2 * plane + p], lo, hi);
                    } else {
                        int v = level(data[row + p], lo, hi);
                        rgb = v << 16 | v << 8 | v;
                    }
                    for (int a = 0; a < scale; a++) {
                        for (int b = 0; b < scale; b++) {
                            image.setRGB(x0 + j * scale + b, y0 + i * scale + a, rgb);
                        }
                    }
                }
            }
        }
        return new ImageGrid(file, caption, image);
    }

    /** {@code v} from {@code [lo, hi]} to 0..255, clipped; NaN is drawn black. */
    static int level(double v, double lo, double hi) {
        double u = (v - lo) / (hi - lo);
        if (!(u > 0)) {
            return 0;
        }
        return u >= 1 ? 255 : (int) Math.round(u * 255);
    }
}
