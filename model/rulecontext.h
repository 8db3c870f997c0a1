// What every recommendation rule works with (internal to model/).
#pragma once

#include "analyzer.h"
#include "analyzerformat.h"

#include <QCoreApplication>
#include <QLocale>
#include <algorithm>
#include <array>
#include <bit>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace perfwatch::analysis {

/// Per-key rules whose recommendations are remembered between analyses (RecommendationMemo).
enum class MemoRule : quint8
{
    HighErrorRate = 1,
    ProcessingBottleneck,
    LowThroughput,
    CacheHitRate,
};

using MemoInputs = std::array<quint64, RecommendationMemo::kMaxInputs>;

/// The bit patterns of everything a remembered recommendation was built from (besides the key's
/// service and name, and the language): equal inputs give the same recommendation.
template<typename... Values>
MemoInputs memoInputs(Values... values)
{
    static_assert(sizeof...(Values) <= RecommendationMemo::kMaxInputs);
    const auto bits = [](auto v) -> quint64 {
        if constexpr (std::is_floating_point_v<decltype(v)>)
            return std::bit_cast<quint64>(double(v));
        else
            return quint64(v);
    };
    MemoInputs out {};
    std::size_t i = 0;
    ((out[i++] = bits(values)), ...);
    return out;
}

/// What every rule needs: the input, the thresholds and key names by id.
class RuleContext
{
public:
    RuleContext(const AnalyzerInput &input, const AnalyzerConfig &config, RecommendationMemo &memo)
        : in(input)
        , cfg(config)
        , windowMs(input.windowMs > 0 ? input.windowMs : config.windowMs)
        , windowText(formatMinutes(windowMs))
        , m_memo(memo)
    {
        // Texts also depend on the locale and the translations (the window text is translated):
        // when either changed, nothing remembered is reused.
        const QLocale locale;
        const QString language = locale.name() + QLatin1Char(' ') + QString::number(int(locale.numberOptions()))
            + QLatin1Char(' ') + windowText;
        if (m_memo.language != language) {
            m_memo.entries.clear();
            m_memo.language = language;
        }
        ++m_memo.analysis;
        for (const KeyAggregate &k : input.previous)
            m_keys[k.meta.id] = &k.meta;
        for (const GaugeSeries &g : input.gauges)
            m_keys[g.meta.id] = &g.meta;
        for (const KeyAggregate &k : input.current)
            m_keys[k.meta.id] = &k.meta;
    }

    /// The window's keys without the overflow keys, as a range: their figures mix many names, so
    /// only the cardinality rule and the score read them. (Not std::views::filter: clang 14 with
    /// libstdc++ 12, the fuzz build, cannot compile it.)
    class KeysWithoutOverflow
    {
    public:
        class Iterator
        {
        public:
            Iterator(const KeyAggregate *at, const KeyAggregate *end)
                : m_at(at)
                , m_end(end)
            {
                skip();
            }
            const KeyAggregate &operator*() const { return *m_at; }
            Iterator &operator++()
            {
                ++m_at;
                skip();
                return *this;
            }
            bool operator!=(const Iterator &other) const { return m_at != other.m_at; }

        private:
            void skip()
            {
                while (m_at != m_end && m_at->meta.isOverflow())
                    ++m_at;
            }
            const KeyAggregate *m_at;
            const KeyAggregate *m_end;
        };
        explicit KeysWithoutOverflow(const std::vector<KeyAggregate> &keys)
            : m_begin(keys.data())
            , m_end(keys.data() + keys.size())
        {
        }
        Iterator begin() const { return Iterator(m_begin, m_end); }
        Iterator end() const { return Iterator(m_end, m_end); }

    private:
        const KeyAggregate *m_begin;
        const KeyAggregate *m_end;
    };
    KeysWithoutOverflow current() const { return KeysWithoutOverflow(in.current); }

    const KeyMeta *key(KeyId id) const
    {
        const auto it = m_keys.find(id);
        return it == m_keys.end() ? nullptr : it->second;
    }
    QString keyName(KeyId id) const
    {
        const KeyMeta *meta = key(id);
        return meta ? meta->name : QCoreApplication::translate("Analyzer", "key #%1").arg(id);
    }

    /// Minute points overlapping the window [now - windowMs, now).
    bool inWindow(const TimePoint &p) const
    {
        return p.agg.stats.count > 0 && p.startMs + kMinuteMs > in.nowMs - windowMs && p.startMs < in.nowMs;
    }

    Recommendation make(const QString &rule, RecommendationType type, Priority priority, const QString &service,
        const QString &target, double impact) const
    {
        Recommendation r;
        r.rule = rule;
        r.id = rule + QLatin1Char(':') + service + QLatin1Char(':') + target;
        r.type = type;
        r.priority = priority;
        r.service = service;
        r.target = target;
        r.impact = std::max(impact, 1.0);
        return r;
    }

    /// Adds the recommendation `rule` made for the key in the previous analysis when it was made
    /// from the same inputs; false (adding nothing) otherwise.
    bool reuse(MemoRule rule, const KeyMeta &meta, const MemoInputs &inputs)
    {
        const auto it = m_memo.entries.find(memoKey(rule, meta.id));
        if (it == m_memo.entries.end() || it->second.inputs != inputs || it->second.recommendation.target != meta.name
            || it->second.recommendation.service != meta.service)
            return false;
        it->second.analysis = m_memo.analysis;
        out.push_back(it->second.recommendation);
        return true;
    }
    /// Remembers a recommendation made for the key from `inputs` for the next analysis.
    void remember(MemoRule rule, const KeyMeta &meta, const MemoInputs &inputs, const Recommendation &r)
    {
        RecommendationMemo::Entry &e = m_memo.entries[memoKey(rule, meta.id)];
        e.inputs = inputs;
        e.recommendation = r;
        e.analysis = m_memo.analysis;
    }
    /// Forgets what this analysis did not reuse or remember: advice that no longer applies.
    void dropUnused()
    {
        std::erase_if(m_memo.entries, [this](const auto &e) { return e.second.analysis != m_memo.analysis; });
    }

    const AnalyzerInput &in;
    const AnalyzerConfig &cfg;
    const qint64 windowMs;
    const QString windowText;
    std::vector<Recommendation> out;

private:
    static quint64 memoKey(MemoRule rule, KeyId key) { return quint64(rule) << 32 | key; }

    std::unordered_map<KeyId, const KeyMeta *> m_keys;
    RecommendationMemo &m_memo;
};

} // namespace perfwatch::analysis
