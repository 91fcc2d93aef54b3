package org.scorepipe.core;

import java.util.List;
import org.scorepipe.api.Plugin;
import org.scorepipe.core.correctors.LangevinCorrector;
import org.scorepipe.core.evaluators.ModeFrequenciesEvaluator;
import org.scorepipe.core.evaluators.MomentsEvaluator;
import org.scorepipe.core.evaluators.SlicedWassersteinEvaluator;
import org.scorepipe.core.grids.UniformGrid;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.paths.VpPath;
import org.scorepipe.core.predictors.EulerMaruyamaPredictor;
import org.scorepipe.core.predictors.ProbabilityFlowPredictor;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.core.sources.GaussianSource;
import org.scorepipe.core.stages.CorrectorStage;
import org.scorepipe.core.stages.EvaluateStage;
import org.scorepipe.core.stages.ForwardStage;
import org.scorepipe.core.stages.InitStage;
import org.scorepipe.core.stages.SampleStage;
import org.scorepipe.core.stages.SaveStage;

/**
 * The built-in components. They register through {@code META-INF/services} exactly as a third
 * party's plugin does; the runtime knows none of them by name.
 */
public final class CorePlugin implements Plugin {
    @Override
    public String name() {
        return "core";
    }

    @Override
    public String apiVersion() {
        return API_VERSION;
    }

    @Override
    public List<Class<?>> components() {
        return List.of(
                GaussianSource.class,
                GaussianMixtureSource.class,
                OrnsteinUhlenbeckPath.class,
                VpPath.class,
                VarianceExplodingPath.class,
                AnalyticScore.class,
                LangevinCorrector.class,
                EulerMaruyamaPredictor.class,
                ProbabilityFlowPredictor.class,
                UniformGrid.class,
                InitStage.class,
                ForwardStage.class,
                CorrectorStage.class,
                SampleStage.class,
                EvaluateStage.class,
                SaveStage.class,
                MomentsEvaluator.class,
                ModeFrequenciesEvaluator.class,
                SlicedWassersteinEvaluator.class);
    }
}
