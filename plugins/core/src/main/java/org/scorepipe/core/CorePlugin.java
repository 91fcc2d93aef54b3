package org.scorepipe.core;

import java.util.List;
import org.scorepipe.api.Plugin;
import org.scorepipe.core.correctors.AnnealedLangevinCorrector;
import org.scorepipe.core.correctors.LangevinCorrector;
import org.scorepipe.core.correctors.MalaCorrector;
import org.scorepipe.core.evaluators.DigitClassesEvaluator;
import org.scorepipe.core.evaluators.DigitFrechetEvaluator;
import org.scorepipe.core.evaluators.EnergyDistanceEvaluator;
import org.scorepipe.core.evaluators.GaussianW2Evaluator;
import org.scorepipe.core.evaluators.ImageModesEvaluator;
import org.scorepipe.core.evaluators.KnnKlEvaluator;
import org.scorepipe.core.evaluators.LikelihoodEvaluator;
import org.scorepipe.core.evaluators.MmdEvaluator;
import org.scorepipe.core.evaluators.ModeCoverageEvaluator;
import org.scorepipe.core.evaluators.ModeFrequenciesEvaluator;
import org.scorepipe.core.evaluators.MomentsEvaluator;
import org.scorepipe.core.evaluators.SlicedWassersteinEvaluator;
import org.scorepipe.core.evaluators.TailQuantilesEvaluator;
import org.scorepipe.core.grids.ExponentialDecayGrid;
import org.scorepipe.core.grids.GeometricGrid;
import org.scorepipe.core.grids.KarrasGrid;
import org.scorepipe.core.grids.UniformGrid;
import org.scorepipe.core.paths.InterpolationPath;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.paths.SubVpPath;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.paths.VpPath;
import org.scorepipe.core.predictors.AncestralPredictor;
import org.scorepipe.core.predictors.DdimPredictor;
import org.scorepipe.core.predictors.DpmSolverPredictor;
import org.scorepipe.core.predictors.DpmSolverSdePredictor;
import org.scorepipe.core.predictors.EdmPredictor;
import org.scorepipe.core.predictors.EulerMaruyamaPredictor;
import org.scorepipe.core.predictors.ExponentialIntegratorPredictor;
import org.scorepipe.core.predictors.ProbabilityFlowPredictor;
import org.scorepipe.core.predictors.UniPcPredictor;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.scores.EmpiricalScore;
import org.scorepipe.core.scores.PerturbedScore;
import org.scorepipe.core.scores.TruncatedScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.core.sources.CsvSource;
import org.scorepipe.core.sources.GaussianSource;
import org.scorepipe.core.sources.ImageSource;
import org.scorepipe.core.sources.NpySource;
import org.scorepipe.core.sources.StudentTSource;
import org.scorepipe.core.stages.AdaptiveFlowStage;
import org.scorepipe.core.stages.AnnealStage;
import org.scorepipe.core.stages.ChainedLangevinStage;
import org.scorepipe.core.stages.CorrectorStage;
import org.scorepipe.core.observers.EvaluateObserver;
import org.scorepipe.core.stages.ForwardStage;
import org.scorepipe.core.stages.InitStage;
import org.scorepipe.core.stages.SampleStage;
import org.scorepipe.core.observers.SaveObserver;

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
                StudentTSource.class,
                NpySource.class,
                ImageSource.class,
                CsvSource.class,
                OrnsteinUhlenbeckPath.class,
                VpPath.class,
                VarianceExplodingPath.class,
                SubVpPath.class,
                InterpolationPath.class,
                AnalyticScore.class,
                EmpiricalScore.class,
                TruncatedScore.class,
                PerturbedScore.class,
                LangevinCorrector.class,
                AnnealedLangevinCorrector.class,
                MalaCorrector.class,
                EulerMaruyamaPredictor.class,
                ProbabilityFlowPredictor.class,
                ExponentialIntegratorPredictor.class,
                AncestralPredictor.class,
                DpmSolverPredictor.class,
                UniPcPredictor.class,
                DpmSolverSdePredictor.class,
                DdimPredictor.class,
                EdmPredictor.class,
                UniformGrid.class,
                ExponentialDecayGrid.class,
                GeometricGrid.class,
                KarrasGrid.class,
                InitStage.class,
                ForwardStage.class,
                CorrectorStage.class,
                SampleStage.class,
                AdaptiveFlowStage.class,
                AnnealStage.class,
                ChainedLangevinStage.class,
                EvaluateObserver.class,
                SaveObserver.class,
                MomentsEvaluator.class,
                ModeFrequenciesEvaluator.class,
                SlicedWassersteinEvaluator.class,
                MmdEvaluator.class,
                EnergyDistanceEvaluator.class,
                KnnKlEvaluator.class,
                GaussianW2Evaluator.class,
                ModeCoverageEvaluator.class,
                ImageModesEvaluator.class,
                DigitClassesEvaluator.class,
                DigitFrechetEvaluator.class,
                TailQuantilesEvaluator.class,
                LikelihoodEvaluator.class);
    }
}
