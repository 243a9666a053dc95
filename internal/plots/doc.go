// Package plots draws the figures of experiment runs with gonum.org/v1/plot
// and saves each as both SVG and PNG: curves with confidence bands (gap vs
// iteration on a log axis), labelled heat maps (win-rate matrices) and
// performance profiles.
//
// Curves turns metrics rows into those curves: per algorithm, the mean (or
// geometric mean) over seeds at each step with a bootstrap band.
//
// Every Save takes a base path without extension and writes base.svg and
// base.png. Non-finite points are left out of curves; on a log axis,
// values at or below zero are clipped to a floor so that a gap that reaches
// exactly 0 still shows.
package plots
