//! The app's Japanese font: BIZ UDGothic (SIL OFL 1.1, `fonts/OFL.txt`), built into the binary
//! so that every terminal shows the same glyphs, never a fallback from another locale.

/// BIZ UDGothic Regular.
pub const BIZ_UD_GOTHIC: &[u8] = include_bytes!("../../fonts/BIZUDGothic-Regular.ttf");

/// Puts BIZ UDGothic first in both font families, and sets the light theme and a readable
/// base size.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        "biz-ud-gothic".to_owned(),
        std::sync::Arc::new(egui::FontData::from_static(BIZ_UD_GOTHIC)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .insert(0, "biz-ud-gothic".to_owned());
    }
    ctx.set_fonts(fonts);
    // Office terminals, long days: the light theme with roomier spacing.
    ctx.set_theme(egui::Theme::Light);
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(10.0, 8.0);
        style.spacing.button_padding = egui::vec2(10.0, 4.0);
        for (text_style, font) in style.text_styles.iter_mut() {
            font.size = match text_style {
                egui::TextStyle::Heading => 24.0,
                egui::TextStyle::Small => 12.0,
                _ => 16.0,
            };
        }
    });
}
