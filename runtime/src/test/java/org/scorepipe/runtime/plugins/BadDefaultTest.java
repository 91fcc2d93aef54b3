package org.scorepipe.runtime.plugins;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Default;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Plugin;
import org.scorepipe.runtime.ScorepipeException;

/** A default that no run could bind fails the component when its plugin is loaded, naming the key. */
class BadDefaultTest {
    @Component(kind = ComponentKind.CORRECTOR, name = "unbounded", doc = "a default of infinity")
    public static final class Unbounded implements Corrector {
        public record Params(@Default("0.1") double step, @Default("Infinity") double limit) {
        }

        @Inject
        public Unbounded(Params params) {
        }

        @Override
        public void correct(Block block, double t, Noise noise) {
        }
    }

    @Test
    void anInfiniteDefaultIsRefusedWhenThePluginLoads() {
        Plugin plugin = new Plugin() {
            @Override
            public String name() {
                return "defaults";
            }

            @Override
            public List<Class<?>> components() {
                return List.of(Unbounded.class);
            }

            @Override
            public String apiVersion() {
                return API_VERSION;
            }
        };
        ComponentRegistry registry = ComponentRegistry.of(plugin);
        ScorepipeException e = assertThrows(ScorepipeException.class, () -> registry.find(ComponentKind.CORRECTOR, "unbounded"));
        assertTrue(e.getMessage().contains("@Default(\"Infinity\") of its parameter limit does not bind")
                && e.getMessage().contains("expected a finite number"), e.getMessage());
    }
}
