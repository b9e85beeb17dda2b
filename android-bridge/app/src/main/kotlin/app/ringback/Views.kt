package app.ringback

import android.content.Context
import android.graphics.drawable.GradientDrawable
import android.text.InputType
import android.view.ContextThemeWrapper
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.EditText
import android.widget.FrameLayout
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import kotlin.math.roundToInt

/*
 * The screens are built in code from a handful of the framework's own views (no AndroidX or
 * Material, so the shell runs on Android's classes alone): a scrolling column of texts,
 * buttons and cards. No layout files, so the compiler checks every view it touches.
 */

internal fun Context.dp(value: Int): Int = (value * resources.displayMetrics.density).roundToInt()

/** A screen's root: a scroll view that keeps clear of the system bars, and its column. */
internal fun Context.screen(): Pair<View, LinearLayout> {
    val column = column()
    val pad = dp(20)
    column.setPadding(pad, pad, pad, pad)
    val scroll = ScrollView(this)
    scroll.fitsSystemWindows = true
    scroll.addView(column)
    return scroll to column
}

internal fun Context.column(): LinearLayout {
    val column = LinearLayout(this)
    column.orientation = LinearLayout.VERTICAL
    return column
}

private fun LinearLayout.place(view: View, topMargin: Int = 8): View {
    val params = LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT)
    params.topMargin = context.dp(topMargin)
    addView(view, params)
    return view
}

/** How a text looks: the app's text appearances (res/values/themes.xml). */
internal enum class Look(val style: Int, val gap: Int) {
    TITLE(R.style.TextAppearance_Ringback_Title, 8),
    HEADING(R.style.TextAppearance_Ringback_Heading, 20),
    BODY(R.style.TextAppearance_Ringback_Body, 6),
    SMALL(R.style.TextAppearance_Ringback_Small, 4),
}

internal fun LinearLayout.text(text: CharSequence, look: Look = Look.BODY): TextView {
    val view = TextView(context)
    view.setTextAppearance(look.style)
    view.text = text
    place(view, look.gap)
    return view
}

/** How a button looks: a filled one for the step to take, quieter ones beside it. */
internal enum class ButtonLook(val overlay: Int?) {
    FILLED(null),
    OUTLINED(R.style.ThemeOverlay_Ringback_OutlinedButton),
    TEXT(R.style.ThemeOverlay_Ringback_TextButton),
}

internal fun LinearLayout.button(
    label: CharSequence,
    look: ButtonLook = ButtonLook.FILLED,
    onClick: () -> Unit,
): Button {
    val themed = look.overlay?.let { ContextThemeWrapper(context, it) } ?: context
    val button = Button(themed)
    button.text = label
    button.setOnClickListener { onClick() }
    place(button)
    return button
}

/** A card in the column; returns the column inside it. */
internal fun LinearLayout.card(): LinearLayout {
    val card = FrameLayout(context)
    card.background = GradientDrawable().apply {
        cornerRadius = context.dp(12).toFloat()
        setColor(context.themeColor(android.R.attr.colorBackgroundFloating))
    }
    card.elevation = context.dp(2).toFloat()
    val inner = context.column()
    val pad = context.dp(16)
    inner.setPadding(pad, context.dp(8), pad, pad)
    card.addView(inner)
    place(card, 16)
    return inner
}

/** A colour of the screen's theme, e.g. the surface a card lies on. */
private fun Context.themeColor(attr: Int): Int {
    val values = obtainStyledAttributes(intArrayOf(attr))
    try {
        return values.getColor(0, 0)
    } finally {
        values.recycle()
    }
}

/** A one-line text field with its label as the hint; returns the field to read. */
internal fun LinearLayout.textField(label: CharSequence, value: CharSequence = "", inputType: Int = InputType.TYPE_CLASS_TEXT): EditText {
    val field = EditText(context)
    field.hint = label
    field.inputType = inputType
    field.setSingleLine(true)
    field.setText(value)
    place(field)
    return field
}
